"""HTTP handlers: URL routing, request plumbing, the resource verbs, watches over
HTTP, the subresources, and self reviews.
"""
