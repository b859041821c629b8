"""The VMS REST transcript and export evidence files: credentials never reach them, the package
is attached whole under the size cap and in part above it, and results.json names the VMS.

The transcript is taken from a real login and search against the simulator's VMS on loopback
(the adapter's own session, hooked); the cleaning rules are also checked on the forms a real VMS
uses that the simulator does not (ZoneMinder's token in the query, a form-encoded login)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from conformance.clients.vms_fakevms import FakeVmsAdapter
from conformance.clients.vms_transcript import clean_body, clean_headers, clean_url
from conformance.redaction import Redactor
from conformance.suites.export import export_evidence
from conformance.suites.export.export_evidence import chosen_files, package_zip
from conformance.vms_target import VmsConfig, remember_identity, vms_section
from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site


@pytest.fixture(scope="module")
def vms() -> Any:
    camera = CameraConfig(name="tr-cam", width=320, height=180, bitrate_kbps=150, record=True)
    with SimulatorThread(Site("vms-transcript", (camera,))) as simulator:
        yield simulator.host.ready()["vms"]


def test_transcript_of_a_real_login_holds_no_credential(vms):
    adapter = FakeVmsAdapter(vms["url"], vms["username"], vms["password"], timeout_s=5)
    now = datetime.now(UTC)
    adapter.search_recordings("tr-cam", now - timedelta(minutes=1), now)
    text = "\n\n".join(x.to_text() for x in adapter.recorder.since(0))
    assert "POST " + vms["url"] + "/api/login" in text and "/api/recordings" in text
    assert vms["password"] not in text
    assert adapter._token and adapter._token not in text  # the bearer token, in body and header
    assert "Authorization: ***" in text and '"password": "***"' in text
    assert '"token": "***"' in text


def test_transcript_keeps_only_this_threads_exchanges_since_a_mark(vms):
    adapter = FakeVmsAdapter(vms["url"], vms["username"], vms["password"], timeout_s=5)
    adapter.list_cameras()
    mark = adapter.recorder.mark()
    adapter.list_cameras()
    assert [x.url.rsplit("/", 1)[-1] for x in adapter.recorder.since(mark)] == ["cameras"]


def test_identity_is_asked_once_and_named_in_results(vms):
    adapter = FakeVmsAdapter(vms["url"], vms["username"], vms["password"], timeout_s=5)
    config = VmsConfig("fake-vms", vms["url"], vms["username"], vms["password"])
    said = remember_identity(config, adapter)
    assert said["product"] == "fake-vms" and said["version"]
    section = vms_section(config)
    assert section == {"name": "fake-vms", "address": vms["url"], **said}
    named = VmsConfig("fake-vms", vms["url"], "u", "p", {"name": "Site VMS"})
    assert vms_section(named)["name"] == "Site VMS"
    assert vms_section(None) is None


def test_cleaning_covers_query_tokens_form_logins_and_headers():
    url = clean_url("https://user:pw@zm.example/zm/api/events.json?token=abc.def&page=2")
    assert url == "https://zm.example/zm/api/events.json?token=***&page=2"
    form = clean_body("user=admin&pass=hunter22", "application/x-www-form-urlencoded")
    assert "hunter22" not in form and "pass=***" in form
    answer = clean_body(b'{"access_token": "t1", "refresh_token": "t2", "version": "1.36"}', "")
    assert "t1" not in answer and "t2" not in answer and "1.36" in answer
    headers = clean_headers({"Cookie": "ZMSESSID=x", "X-Api-Key": "k", "Accept": "*/*"})
    assert headers == {"Cookie": "***", "X-Api-Key": "***", "Accept": "*/*"}
    binary = clean_body(bytes(range(256)) * 4, "application/zip")
    assert binary.startswith("[1024 bytes application/zip, sha256 ")


def _run(files: dict[str, bytes]) -> Any:
    zips: dict[str, bytes] = {}
    return SimpleNamespace(
        job_id="job1", state="done", error="", files=files, transcript=[], audit=[],
        audit_asked="", audit_error="",
        cached_zip=lambda f, build: zips.setdefault("zip", build(f)),
    )  # fmt: skip


class _Recorder:
    """An Evidence stand-in recording what would be attached (names and bytes)."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.attached: dict[str, Any] = {}

    def note(self, text: str) -> None:
        self.attached.setdefault("notes", []).append(text)

    def attach_exchanges(self, name: str, exchanges: list[Any]) -> None:
        self.attached[name] = exchanges

    def attach_json(self, name: str, obj: Any) -> None:
        self.attached[name] = obj

    def attach_text(self, name: str, text: str, **_kw: Any) -> None:
        self.attached[name] = text

    def attach_shared(self, name: str, data: bytes, **_kw: Any) -> None:
        self.attached[name] = data


def test_package_is_attached_whole_under_the_cap_and_withheld_where_a_secret_is():
    files = {
        "manifest.json": b'{"operator": "op", "note": "s3cret-pass"}',
        "manifest.sig": b"\x01\x02",
        "media/a.mp4": b"\x00s3cret-pass\x00",
        "media/b.mp4": b"\x00\x01",
    }
    evidence = _Recorder(Redactor(["s3cret-pass"]))
    export_evidence.attach_export(_run(files), evidence)
    listing = evidence.attached["export-package"]
    assert set(listing["files"]) == set(files)
    assert listing["changed_in_attached_copy"]["media/a.mp4"].startswith("withheld")
    assert listing["changed_in_attached_copy"]["manifest.json"].startswith("redacted copy")
    with zipfile.ZipFile(io.BytesIO(evidence.attached["export-package-job1"])) as archive:
        names = set(archive.namelist())
        assert names == {"manifest.json", "manifest.sig", "media/b.mp4"}
        assert b"s3cret-pass" not in archive.read("manifest.json")


def test_above_the_cap_the_control_files_and_first_and_last_media(monkeypatch):
    monkeypatch.setattr(export_evidence, "PACKAGE_CAP_BYTES", 10)
    files = {"manifest.json": b"{}", **{f"media/{i}.mp4": b"0123456789" for i in range(4)}}
    chosen, how = chosen_files(files)
    assert set(chosen) == {"manifest.json", "media/0.mp4", "media/3.mp4"}
    assert "above the cap" in how


def test_package_zip_is_the_same_bytes_for_the_same_files():
    files = {"b.txt": b"2", "a.mp4": b"1"}
    assert package_zip(files) == package_zip(dict(reversed(list(files.items()))))
