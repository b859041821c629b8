"""Conformance tests: discovery domain."""
