"""The embedded cluster's control loops: the pure controller decisions wired to the registry.

Everything here runs in the cluster process beside the API server and goes through the same
:class:`~localnlb.cluster.apiserver.storage.registry.Registry` that HTTP clients use, so defaulting,
validation, resourceVersions and watches are the ones kubectl sees.
"""
