"""The dashboard: the workshop's diagram, live."""
