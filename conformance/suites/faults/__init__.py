"""Conformance tests: faults domain (requests with tokens the device never issued)."""
