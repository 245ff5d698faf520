"""Admission webhooks around the registry, the async shell: the HTTPS client, the dispatcher that
calls the stored configurations' webhooks, and the create/update/patch writes that pass them.
"""
