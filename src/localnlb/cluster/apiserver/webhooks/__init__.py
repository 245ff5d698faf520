"""Admission webhooks around the registry: which registered webhooks match a request,
the AdmissionReview exchange, the HTTPS client, the dispatcher and the admitted writes; and
the defaults and validation of the webhook configurations themselves.
"""
