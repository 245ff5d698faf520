"""The Kubernetes API: discovery, CRUD, watch, patch, subresources, tables.

In rooms, each below the ones that use it: ``serving`` (the process shell) over ``handlers``
(HTTP) over ``webhooks`` (admission webhooks around writes) over ``storage`` (the registry and
its pure planners) over ``admission`` (intake, defaulting, validation), ``decoding``,
``printers`` and ``discovery``, all over ``objects`` (errors, metadata, names, shapes).
"""
