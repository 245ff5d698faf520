"""Places pods on nodes: spread across nodes and zones, selectors, taints, resources."""
