"""Built-in container images: the workshop's ui app and an agnhost-like test app, as local
programs.
"""
