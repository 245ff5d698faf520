"""What runs on each worker node: the kubelet's API side (registration, leases, pod sync,
status) and the hook for the node's kube-proxy."""
