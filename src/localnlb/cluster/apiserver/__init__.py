"""The Kubernetes API: discovery, CRUD, watch, patch, subresources, tables."""
