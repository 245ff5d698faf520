"""The desired stack: what should exist for one Service (load balancer, listeners, target groups,
TargetGroupBindings, the managed security group), as frozen values with cross-references as
tokens. Built by ``controller.service``, deployed by ``controller.deploy``; never does I/O.
"""
