"""The ELBv2 + minimal EC2 control plane: the API the real aws CLI and boto3 drive, its store and
the target-health checker.
"""
