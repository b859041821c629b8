"""ONVIF replay modes (Profile G): what the PLAY headers beyond Range ask of the replayed stream
(``Frames: intra``), judged from the access units the device sends. The recording is found by
Recording Search, as ONVIF's REPLAY-3-1-x cases find it. Passive: replay reads recordings only;
each capture is a few seconds, bounded in time."""

from __future__ import annotations

import pytest

from conformance.checks.replay_modes import check_intra_only, is_intra
from conformance.suites.recording_search.profile_g_helpers import record_capture, replay_window


@pytest.mark.requirement("REPLAY-FRAMES-01")
def test_frames_intra_only(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "intra", params, intra_only=True)
    units = record_capture(evidence, start, end, capture, elapsed)
    evidence.expect("every access unit", "intra-coded (IDR/IRAP NAL unit or 0xABAC C flag)")
    evidence.measure("not_intra", [u["seq"] for u in units if not is_intra(u)][:20])
    problems = check_intra_only(units)
    assert not problems, "; ".join(problems)
