"""What an object goes through on its way in, inside the registry: intake (kind,
initial status, status subresource splits), defaulting and validation (built-in kinds,
workloads, CRDs and custom objects).
"""
