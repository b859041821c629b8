"""Conformance tests: audio domain (audio configurations of Media and Media2)."""
