"""The versioned object store behind the API server (SQLite, global resourceVersion, watch fan-
out).
"""
