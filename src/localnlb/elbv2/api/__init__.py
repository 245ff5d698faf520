"""The AWS Query wire format (driven by botocore's service models), the ACTIONS table and the HTTP
server.
"""
