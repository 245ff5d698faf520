"""Server-side Table output: columns per kind (as kube-apiserver's printers), CRD
printer columns (simple JSONPath), ages and pod status as kubectl shows them.
"""
