"""The load balancer controller: Services and TargetGroupBindings become NLBs (instance or ip
mode).
"""
