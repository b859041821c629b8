"""Secure-by-default suite: credentials, transport security, attack surface, declarations."""
