"""The composition root: one module per command, each wiring concrete classes together.

Only ``cli`` may import more than one subsystem; it is where the pieces meet."""
