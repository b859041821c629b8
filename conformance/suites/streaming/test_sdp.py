"""The SDP of the live stream, judged strictly (RFC 4566), from the shared quality capture.

The capture itself reads the SDP leniently, as FFmpeg does, so a camera with a malformed SDP
still has its video judged by the other requirements; this requirement carries the SDP fault.
"""

from __future__ import annotations

import pytest

from conformance.checks.sdp import check_sdp
from conformance.dut import QUALITY_CAPTURE_S


@pytest.mark.requirement("STREAM-SDP-01")
def test_sdp_is_well_formed(device, evidence):
    transport, capture = device.best_capture(QUALITY_CAPTURE_S)
    evidence.measure("transport", transport)
    evidence.attach_text("sdp", capture.sdp, ext="sdp", media_type="application/sdp")
    evidence.attach_exchanges("rtsp-transcript", capture.exchanges)
    problems = check_sdp(capture.sdp)
    evidence.measure("sdp_problems", problems)
    assert not problems, "; ".join(problems)
