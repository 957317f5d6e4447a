"""Declared command messages and their handlers, one module per concept."""
