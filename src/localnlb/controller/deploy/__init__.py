"""Desired stack → ELBv2: the generic match and one synthesizer per resource type."""
