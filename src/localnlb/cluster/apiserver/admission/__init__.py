"""What an object goes through on its way in, inside the registry, all pure: intake (kind,
initial status, status subresource splits), defaulting and validation (built-in kinds,
workloads, CRDs and custom objects, webhook configurations), and the admission-webhook rules the
webhooks room calls with: which registered webhooks match a request, the AdmissionReview exchange.
"""
