"""A VMS's codec claims on (VMS, camera) pairs: "tried" where the pair's camera sends the codec,
never "not measured in this run" when the run did try it."""

from __future__ import annotations

from reports.claims import CONTRADICTED, DECLARED, EVIDENCED, claim_findings


def _pair(camera_codec: str, recorded: str, outcome: str) -> dict:
    return {
        "requirements": [
            {
                "id": "VMS-MEDIA-01",
                "domain": "vms",
                "level": "mandatory",
                "outcome": outcome,
                "reason": "" if outcome == "pass" else "AssertionError: codec H264 differs",
                "expected": {"stream": {"codec": camera_codec}},
                "measured": {"recording": {"codec": recorded}},
            }
        ]
    }


def test_codec_claim_tried_on_its_own_camera() -> None:
    claims = {"codecs": ["H264", "H265"]}
    good = {f.statement: f for f in claim_findings(claims, _pair("H265", "HEVC", "pass"))}
    assert good["H265"].status == EVIDENCED and "tried" in good["H265"].detail
    assert good["H264"].status == DECLARED and "not judged on this pair" in good["H264"].detail
    bad = {f.statement: f for f in claim_findings(claims, _pair("H265", "H264", "fail"))}
    assert bad["H265"].status == CONTRADICTED and "recorded H264" in bad["H265"].detail
    assert all("not measured in this run" not in f.detail for f in bad.values())
