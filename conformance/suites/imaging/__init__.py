"""Imaging service and Media2 OSD conformance tests."""
