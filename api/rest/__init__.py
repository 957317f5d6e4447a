"""REST edges: routes that build command messages."""
