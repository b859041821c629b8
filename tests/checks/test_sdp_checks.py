"""STREAM-SDP-01: the strict SDP check, on the simulator's own SDP (good and with each field
quirk's knob) and on session descriptions shaped like the ones field reports quote."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance.checks.sdp import check_sdp, sdp_lines
from fake_vms.personas import PERSONAS
from fake_vms.rtsp.sdp import build_sdp

LOOP = SimpleNamespace(
    fps=25.0,
    codec="H264",
    width=1280,
    height=720,
    sps=b"\x67\x42\x00\x1f",
    pps=b"\x68\xce\x3c\x80",
    profile_level_id="42001f",
)


def _sdp(knobs=None) -> str:
    return build_sdp(LOOP, "127.0.0.1", "FakeVMS cam", 2000, knobs).decode()


def test_simulator_sdp_is_well_formed():
    assert check_sdp(_sdp()) == []


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("sdp-no-origin", "0 o= lines"),
        ("sdp-no-timing", "no t= line"),
        ("sdp-origin-truncated", "six fields"),
        ("sdp-connection-no-addrtype", "c= line 'IN 127.0.0.1'"),
        ("sdp-framerate-garbage", "a=framerate:0S"),
        ("sdp-empty-connection", "c= line ''"),
        ("sdp-media-only", "does not start with v=0"),
        ("sdp-rtpmap-trailing-space", "a='rtpmap:96 H264/90000 '"),
    ],
)
def test_each_sdp_persona_is_caught(persona, expected):
    problems = check_sdp(_sdp(PERSONAS[persona].knobs))
    assert any(expected in p for p in problems), problems


LEGAL_UNUSUAL = [
    # IPv6 origin and connection, a host name, a fractional frame rate, c= per media only,
    # unknown attributes, several t= lines, LF line ends.
    "v=0\no=admin 3 7 IN IP6 fe80::1\ns= \nt=0 0\nt=1 2\na=x-vendor:thing\n"
    "m=video 0 RTP/AVP 96\nc=IN IP6 ::\na=rtpmap:96 H264/90000\na=framerate:29.97\n"
    "m=audio 0 RTP/AVP 0\na=rtpmap:0 PCMU/8000/1\n",
    "v=0\r\no=- 1 1 IN IP4 cam.example.org\r\ns=Media Presentation\r\ni=samsung\r\n"
    "c=IN IP4 0.0.0.0\r\nt=0 0\r\nm=video 40024 RTP/AVP 98\r\na=rtpmap:98 H264/90000\r\n",
]


@pytest.mark.parametrize("sdp", LEGAL_UNUSUAL)
def test_legal_but_unusual_sdp_passes(sdp):
    assert check_sdp(sdp) == []


def test_field_shapes_fail():
    # go2rtc#679: media section only
    assert check_sdp("m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n")
    # retina#33: no t= before m=
    geovision = (
        "v=0\r\no=- 1001 1 IN IP4 192.0.2.7\r\ns=VCP IPC Realtime stream\r\n"
        "m=video 0 RTP/AVP 105\r\nc=IN IP4 192.0.2.7\r\nt=0 0\r\n"
    )
    assert any("no t= line" in p for p in check_sdp(geovision))
    assert any("no SDP" in p for p in check_sdp(""))
    assert any("not <type>=<value>" in p for p in check_sdp("v=0\r\ngarbage\r\n"))


def test_sdp_lines_split_types():
    assert sdp_lines("v=0\r\na=control:*\r\n") == [("v", "0"), ("a", "control:*")]
