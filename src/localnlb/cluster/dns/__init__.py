"""Cluster DNS as CoreDNS's kubernetes plugin answers it: the pure zone (:mod:`.zone`) and its
answers (:mod:`.answers`), the wire format (:mod:`.wire`), the asyncio server (:mod:`.server`)
and the component that keeps it in step with the API (:mod:`.component`)."""
