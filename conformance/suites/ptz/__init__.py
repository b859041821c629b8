"""PTZ service conformance tests."""
