"""Target health: the pure per-target state machine and the probe scheduler that feeds it."""
