"""The compatibility matrix keeps the probe level (what ONVIF discovery picks) apart from the
ingest level (the main stream, by URL when the probe picks another), so a buyer reads
"probe: picks the H.264 second stream; ingest by URL: works" instead of "does not work"."""

from __future__ import annotations

from reports.compatibility import compatibility, render_compatibility


def _pair(name: str, probe: dict, outcome: str = "pass") -> dict:
    ids = ("VMS-CONNECT-01", "VMS-MEDIA-01", "VMS-EXPORT-EVIDENCE-01", "VMS-TRACE-01")
    rows = [{"id": i, "outcome": outcome if i == "VMS-MEDIA-01" else "pass"} for i in ids]
    rows[-1]["measured"] = {"onvif_probe": probe}
    return {"name": f"zoneminder · {name}", "requirements": rows}


def test_probe_and_ingest_levels_are_both_shown() -> None:
    second = {"picks": "/stream2", "codec": "H264", "size": "1280x720", "main_stream": False,
              "main_codec": "H265", "ingested_by": "url"}  # fmt: skip
    main = {"picks": "/stream1", "codec": "H264", "size": "640x360", "main_stream": True,
            "main_codec": "H264", "ingested_by": "onvif probe"}  # fmt: skip
    section = compatibility([_pair("h265", second), _pair("h264", main)])
    assert section is not None
    h265, h264 = section["pairs"]
    assert h265["works_end_to_end"] and h265["ingested_by"] == "url"
    assert h265["summary"] == (
        "probe: picks the H264 1280x720 second stream (/stream2), not the H265 main stream; "
        "ingest by URL: works"
    )
    assert h264["summary"].startswith("probe: picks the main stream (H264 640x360)")
    html = render_compatibility(section)
    assert "ONVIF probe picks" in html and "second stream</b> /stream2" in html
    assert "yes (by URL)" in html and "yes (by probe)" in html


def test_no_probe_reads_ingest_by_url() -> None:
    section = compatibility([_pair("cam", {"picks": None, "ingested_by": "url"}, "fail")])
    assert section is not None
    assert section["pairs"][0]["summary"] == "probe: none; ingest by URL: does not work"
