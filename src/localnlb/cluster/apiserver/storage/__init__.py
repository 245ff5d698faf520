"""The registry (the one door to the object store) and what it executes: the pure
patch and deletion planners, Service allocation, managedFields, selectors and paging, watches,
the scale/binding/log subresources, bootstrap objects and event expiry.
"""
