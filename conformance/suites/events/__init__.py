"""ONVIF Event service conformance tests."""
