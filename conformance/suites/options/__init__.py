"""Conformance tests: options domain (configurations inside their own options)."""
