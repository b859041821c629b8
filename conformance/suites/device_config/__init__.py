"""Conformance tests: device management configuration reads (network, users, log, I/O)."""
