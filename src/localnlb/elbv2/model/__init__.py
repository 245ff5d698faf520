"""Frozen dataclasses and enums of the ELBv2/EC2 domain: load balancers, listeners, target groups,
targets.
"""
