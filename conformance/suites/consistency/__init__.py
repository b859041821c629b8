"""Conformance tests: consistency domain (Media views of one state that must agree)."""
