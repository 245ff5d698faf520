"""Shared test helpers: waiting on conditions with deadlines, and processes that always stop."""
