"""Per-node NodePort forwarding, honouring externalTrafficPolicy, and kube-proxy's health
endpoints.
"""
