"""The kernel engine: LB nodes as nftables rules, flows forwarded and pinned by Linux."""
