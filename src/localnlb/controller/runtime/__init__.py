"""Watches, caches, work queue, leader election and the reconcile loop."""
