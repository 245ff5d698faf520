"""Request decoding: content negotiation and bodies, decoding into the kind's typed
shape, unknown fields, and the three patch formats with their merge keys.
"""
