"""The demo data set: a street, its communities and their year."""
