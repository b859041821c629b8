"""Quirk knobs: Media (ver10) configuration views that disagree with each other.

Defaults are the conformant behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsistencyKnobs:
    """Media (ver10) profiles, configuration listings and guaranteed encoder instances."""

    use_count_stale: bool = False
    """Media video source and video encoder configurations report a UseCount one higher than
    the number of profiles using them (a count not decremented when a profile went away)."""
    guaranteed_jpeg_unoffered: bool = False
    """GetGuaranteedNumberOfVideoEncoderInstances guarantees JPEG instances although no video
    encoder configuration's options offer JPEG (a reply copied from another model)."""
