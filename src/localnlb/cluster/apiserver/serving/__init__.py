"""The server's shell: the aiohttp application (auth, errors, routes), TLS, the
kubeconfig and the API server as a lifecycle Service.
"""
