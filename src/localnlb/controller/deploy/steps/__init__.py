"""The deployer's steps, one per resource type, each a thin shell around its pure planner."""
