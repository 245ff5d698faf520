"""Service → desired stack: annotations, naming, the pure builder."""
