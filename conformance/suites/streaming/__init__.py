"""Conformance tests: streaming domain."""
