"""TargetGroupBinding reconciler: endpoints become registered targets."""
