"""The pure model: aggregates, events, rules and their named errors.

Imports only the standard library and ``eventsourcing.domain``.
"""
