"""HTTP (REST commands, GraphQL reads) and the command line."""
