"""What every room shares about API objects: errors as a Kubernetes Status and
validation causes, the metadata the server owns, name rules, and the shapes a stored object
takes for each served type.
"""
