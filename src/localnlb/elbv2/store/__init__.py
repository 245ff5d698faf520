"""SQLite persistence of the ELBv2/EC2 domain, one module per resource kind."""
