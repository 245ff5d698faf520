"""The embedded Kubernetes-compatible cluster that kubectl drives."""
