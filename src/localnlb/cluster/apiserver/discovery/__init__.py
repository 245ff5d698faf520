"""What clients learn about the served types: the catalog of served types, the
discovery documents and OpenAPI v3.
"""
