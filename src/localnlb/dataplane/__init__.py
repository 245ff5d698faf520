"""Load balancer nodes: listeners, flow hash, proxy loop, draining, PROXY v2, metrics."""
