"""Read models kept up to date from the tenants' logs, exactly once."""
