"""One handler module per resource kind. A handler takes the context and the parsed, validated
parameters (model member names) and returns the result dict (model member names)."""
