"""What the API server serves: the resource types (built in and from CRDs) and their schemas."""
