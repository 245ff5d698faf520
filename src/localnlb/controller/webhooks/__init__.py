"""The controller's admission webhooks, pure: what each mutator changes, as a JSONPatch."""
