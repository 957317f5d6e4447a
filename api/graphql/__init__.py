"""The GraphQL read API."""
