"""Conformance tests: device domain."""
