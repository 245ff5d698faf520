"""localnlb: Kubernetes load balancing as it works on Amazon EKS, on one machine, with real traffic.

The package is four independent subsystems that meet only at public APIs (see docs/architecture.md):
``elbv2`` (the ELBv2 + minimal EC2 control plane), ``dataplane`` (load balancer nodes),
``cluster`` (the embedded Kubernetes-compatible cluster) and ``controller`` (the load balancer
controller). ``common`` holds what all of them share; ``cli`` is the composition root.
"""

__version__ = "0.1.0"
