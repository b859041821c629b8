"""Continuous recording of simulated cameras: the on-disk store and the per-camera recorder."""
