"""A generic L4 relay engine: TCP relay with half-close and resets, and a UDP flow table.

It knows sockets, not load balancers: the NLB data plane and the cluster's kube-proxy both plug
their own policy (which upstream, which source address, which preface bytes, what to count) into
it through :class:`~localnlb.common.forwarding.tcp.TcpRelayPolicy` and
:class:`~localnlb.common.forwarding.udp.UdpRelayPolicy`.
"""
