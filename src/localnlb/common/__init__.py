"""What every subsystem shares: time, ids, lifecycle, the address plan, the state dir and the
routing snapshot that the ELBv2 side hands to the data plane. Nothing here imports a subsystem."""
