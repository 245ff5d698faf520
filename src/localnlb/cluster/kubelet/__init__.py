"""Runs each pod's containers as local processes on the pod's IP, with probes and restarts."""
