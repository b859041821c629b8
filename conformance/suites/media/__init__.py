"""Conformance tests: media domain."""
