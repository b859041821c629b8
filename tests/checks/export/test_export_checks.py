"""Export checks on recorded simulator packages (record_export_fixtures.py) and hand-written
real-world bad ones. Each bad package must be caught by its check and only the good one passes."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from conformance.checks.export import (
    RecordingFormat,
    check_aligned,
    check_audit,
    check_frames,
    check_gaps,
    check_hashes,
    check_identity,
    check_key_published,
    check_native,
    check_plays,
    check_range,
    check_speed,
    check_tamper_detected,
    check_utc,
    flip_byte,
    parse_manifest,
    parse_utc,
    tamper_manifest_time,
    verify_signature,
)
from conformance.checks.export_alignment import (
    Alignment,
    align,
    aligned_span,
    check_complete,
    check_identical,
    file_hints,
    reference_times,
)
from conformance.clients.export_media import MediaFacts, probe

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Package:
    def __init__(self, name: str) -> None:
        with zipfile.ZipFile(FIXTURES / f"{name}.zip") as archive:
            entries = {i.filename: archive.read(i) for i in archive.infolist()}
        self.files = {
            k.removeprefix("package/"): v for k, v in entries.items() if k.startswith("package/")
        }
        self.meta = json.loads(entries["meta.json"])
        self.recording = probe("recording.mp4", entries["recording.mp4"])
        self.manifest, _ = parse_manifest(self.files.get("manifest.json"))
        self.facts = [probe(p, d) for p, d in sorted(self.files.items()) if p.endswith(".mp4")]
        self.key = self.meta["public_key"].encode()

    @property
    def start(self) -> datetime:
        return parse_utc(self.meta["start"])

    @property
    def end(self) -> datetime:
        return parse_utc(self.meta["end"])

    def format(self) -> RecordingFormat:
        r = self.recording
        return RecordingFormat(r.codec, r.width, r.height, r.fps, tuple(r.parameter_sets))


@cache
def package(name: str) -> Package:
    return Package(name)


def aligned(p: Package) -> dict[str, tuple[Alignment, tuple[datetime, datetime] | None]]:
    """Each exported file aligned on the package's reference recording, as the suite does:
    reference times from its container timestamps, anchored at the end of its range."""
    times = reference_times(p.recording.pts_s, p.end, p.recording.fps)
    said = {e["path"]: parse_utc(e["start_utc"]) for e in p.manifest["files"]}
    hints = file_hints(times, [said.get(f.path) for f in p.facts], p.start, 2.0)
    out = {}
    for f, hint in zip(p.facts, hints, strict=True):
        alignment = align(f.vcl_digests, p.recording.vcl_digests, hint)
        out[f.path] = (alignment, aligned_span(alignment, times, p.recording.fps))
    return out


def first_frames(p: Package) -> dict[str, datetime | None]:
    return {path: span[0] if span else None for path, (_a, span) in aligned(p).items()}


def media_span(p: Package) -> tuple[datetime, datetime]:
    spans = sorted(span for _a, span in aligned(p).values() if span)
    return spans[0][0], spans[-1][1]


def _signature(p: Package) -> bytes | None:
    return p.files.get("manifest.sig")


# --- good ---------------------------------------------------------------------------------


def test_good_package_passes_every_check():
    p = package("good")
    assert p.manifest is not None
    assert check_hashes(p.manifest, p.files) == []
    assert verify_signature(p.files["manifest.json"], _signature(p), p.key) == []
    assert check_key_published(p.files["vms-public-key.pem"], [p.key]) == []
    assert check_tamper_detected(p.files, [p.key]) == []
    assert check_plays(p.facts) == []
    assert check_native(p.facts, p.format()) == []
    assert check_frames(p.facts, p.meta["fps"]) == []
    for alignment, _span in aligned(p).values():
        assert check_identical(alignment) == [] and check_complete(alignment) == []
    assert check_utc(p.manifest, first_frames(p), 1.0) == []
    assert check_range(p.start, p.end, 2.0, media_span(p)) == []
    camera = p.meta["camera"]
    device = {k: camera[k] for k in ("manufacturer", "model", "serial", "mac")}
    assert check_identity(p.manifest, camera["id"], device) == []


def test_good_package_reports_its_gap_and_keeps_it_in_the_media():
    p = package("good")
    recorded = [(parse_utc(a), parse_utc(b)) for a, b in p.meta["gaps"]]
    reported = [(parse_utc(g["start"]), parse_utc(g["end"])) for g in p.manifest["gaps"]]
    assert len(p.facts) == 2  # one file either side of the gap
    spans = sorted(span for _a, span in aligned(p).values() if span)
    holes = [(spans[0][1], spans[1][0])]
    assert check_gaps(recorded, reported, holes, 0.5) == []


# --- recorded bad packages (the personas' packages) -----------------------------------------


def test_transcoded_export_is_not_native():
    p = package("transcoded")
    native = check_native(p.facts, package("good").format())
    assert any("fps" in x for x in native)
    assert any("parameter sets" in x for x in native)
    assert check_frames(p.facts, p.meta["fps"])
    assert all(check_identical(a) for a, _span in aligned(p).values())
    assert check_plays(p.facts) == []  # it still plays: that is not the problem


def test_missing_hash_is_found_and_tampering_goes_undetected():
    p = package("missing-hash")
    assert any("no SHA-256" in x for x in check_hashes(p.manifest, p.files))
    undetected = check_tamper_detected(p.files, [p.key])
    assert undetected and all(x.startswith("media/") for x in undetected)
    assert verify_signature(p.files["manifest.json"], _signature(p), p.key) == []


def test_unsigned_package_fails_signature_and_manifest_tampering():
    p = package("unsigned")
    assert verify_signature(p.files["manifest.json"], _signature(p), p.key)
    assert check_tamper_detected(p.files, [p.key]) == [
        "manifest.json: a copy with one byte changed is not detected"
    ]
    assert check_hashes(p.manifest, p.files) == []


def test_local_time_written_as_utc_is_caught():
    p = package("bst-as-utc")
    problems = check_utc(p.manifest, first_frames(p), 1.0)
    assert problems and "+3600.0 s" in problems[0]
    # The media itself is fine: the range is judged on the reference's times, not the manifest.
    assert check_range(p.start, p.end, 2.0, media_span(p)) == []


def test_papered_gap_is_caught():
    p = package("gaps-papered")
    recorded = [(parse_utc(a), parse_utc(b)) for a, b in p.meta["gaps"]]
    assert p.manifest["gaps"] == [] and len(p.facts) == 1
    problems = check_gaps(recorded, [], [], 0.5)
    assert any("not reported" in x for x in problems)
    assert any("bridged" in x for x in problems)
    # Re-timed across the gap, the file itself has no hole and no recorded frame is missing:
    # the gap is EXPORT-GAPS-01's finding alone.
    assert check_frames(p.facts, p.meta["fps"]) == []
    assert all(check_complete(a) == [] for a, _span in aligned(p).values())


# --- hand-written real-world bad input -----------------------------------------------------


def test_tampered_media_and_manifest_fail_verification():
    p = package("good")
    for path in p.files:
        copy = dict(p.files)
        copy[path] = (
            tamper_manifest_time(p.files[path])
            if path == "manifest.json"
            else flip_byte(p.files[path])
        )
        manifest, _ = parse_manifest(copy["manifest.json"])
        problems = check_hashes(manifest, copy) + verify_signature(
            copy["manifest.json"], copy.get("manifest.sig"), p.key
        )
        assert problems, path


def test_md5_only_manifest_is_not_accepted():
    """Older VMS exports list MD5 checksums (research INT-HASH-01: MD5/SHA-1 flagged weak)."""
    manifest = {"files": [{"path": "a.mp4", "md5": "0" * 32}]}
    assert check_hashes(manifest, {"a.mp4": b"x"}) == ["a.mp4: no SHA-256 in the manifest"]


def test_naive_local_times_are_not_utc():
    """A manifest with local time and no offset (TIME-TZ-03: ambiguous across GMT/BST)."""
    assert parse_utc("2026-07-01T12:00:00") is None
    assert parse_utc("2026-07-01T12:00:00+01:00") is None
    assert parse_utc("2026-07-01T11:00:00Z") is not None
    manifest = {"exported_at": "2026-07-01 12:00", "files": [{"path": "a", "start_utc": "x"}]}
    assert len(check_utc(manifest, {}, 1.0)) == 2


def test_files_outside_the_manifest_are_reported():
    manifest = {"files": []}
    assert check_hashes(manifest, {"extra.mp4": b"1"}) == [
        "extra.mp4: in the package but not covered by the manifest"
    ]


def test_signature_with_a_key_the_vms_does_not_publish():
    p = package("good")
    assert check_key_published(p.files["vms-public-key.pem"], [b"other"])
    assert check_key_published(p.files["vms-public-key.pem"], [])


def test_range_and_alignment_and_speed():
    t0 = parse_utc("2026-11-29T12:00:00Z")
    second = timedelta(seconds=1)
    assert check_range(t0, t0 + 4 * second, 1.0, (t0, t0 + 4 * second)) == []
    late = check_range(t0, t0 + 4 * second, 1.0, (t0 + 5 * second, t0 + 9 * second))
    assert any("after the start" in x for x in late)
    assert check_aligned({"a": (t0, t0), "b": (t0 + 0.2 * second, t0)}, t0, 1.0) == []
    assert check_aligned({"a": (t0, t0), "b": (t0 + 3 * second, t0)}, t0, 1.0)
    assert check_speed(4.0, 0.1, 2.0) == []
    assert check_speed(4.0, 8.0, 2.0) == ["export ran at 0.50x real time, below the required 2x"]


def test_audit_entry_must_name_user_and_camera():
    entry = {"time": "t", "user": "operator", "action": "export.create", "source": "127.0.0.1",
             "details": {"job_id": "j1", "cameras": ["cam"]}}  # fmt: skip
    assert check_audit([entry], "j1", "operator", "cam") == []
    assert check_audit([], "j1", "operator", "cam") == [
        "no audit entry records export j1 of camera cam"
    ]
    assert check_audit([{**entry, "user": "system"}], "j1", "operator", "cam")


def test_identity_must_match_the_device():
    p = package("good")
    camera = p.meta["camera"]
    wrong = {"manufacturer": camera["manufacturer"], "model": camera["model"],
             "serial": "OTHER", "mac": "02-00-00-00-00-01"}  # fmt: skip
    problems = check_identity(p.manifest, camera["id"], wrong)
    assert len(problems) == 2


def test_unplayable_file_is_reported():
    facts = probe("broken.mp4", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64)
    assert check_plays([facts])
    assert check_plays([]) == ["the package holds no media file"]


@pytest.mark.parametrize("name", ["good", "transcoded"])
def test_probe_reads_parameter_sets_and_counters(name):
    p = package(name)
    for facts in p.facts:
        assert isinstance(facts, MediaFacts) and facts.parameter_sets
    if name == "good":
        assert all(c is not None for f in p.facts for c in f.counters)
