"""Conformance tests: Media2 (ver20) configurations, their options and their listings."""
