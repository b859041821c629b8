"""Planted-secret scan (issue 5, point 4): a run never writes the credentials it was given.

A whole lab-mode run of every requirement goes against two simulated cameras whose user name and
password are unique planted secrets (the password with characters that change under URL
encoding, a space and a non-ASCII letter): a conformant camera, and a hostile one that echoes the
credentials back in its faults (plain, base64, URL-encoded, and the request's Authorization
header); and a third camera that embeds *another* account's credentials, which the suite was
never given, in every stream and snapshot URI it returns (``rtsp://user:password@host/...``,
as some devices do): the redactor must learn those from the device. Then every output is
scanned: results.json, results.jsonl, junit.xml, allure-results/*, the Allure report,
evidence/**, compliance.html/csv/pdf, summary.html/pdf (a PDF's text too), any log, and the
run's captured stdout and stderr. Zero hits allowed, in plain, base64 (alone and as
``user:password``) and URL-encoded forms.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from secret_scan import find_in_text, find_secrets, secret_forms
from simulated_target import write_simulated_target

from fake_vms.host import SimulatorThread
from fake_vms.personas import get_persona
from fake_vms.personas.knobs import Knobs
from fake_vms.site import CameraConfig, Site, apply_persona

USERNAME = "pl4nted-0perator"
PASSWORD = "Pl4nt/ed+S3cr%t?&=é~ 9#x"
EMBEDDED_USER = "dev1ce-v1ewer"
EMBEDDED_PASSWORD = "Emb3dded/Dev!ce pw"
"""Credentials the device puts in its URIs (percent-encoded there), never given to the suite."""
EMBEDDED_USERINFO = f"{EMBEDDED_USER}:{quote(EMBEDDED_PASSWORD, safe='')}"
# The PDFs are outputs: written here even where the test environment turns them off.
PDFS_ON = {k: v for k, v in os.environ.items() if k != "CCTV_NO_PDF"}


@pytest.mark.slow
def test_no_output_holds_the_planted_credentials(tmp_path: Path) -> None:
    base = dict(username=USERNAME, password=PASSWORD, ptz=True)
    cameras = (
        CameraConfig(name="planted", **base),
        apply_persona(CameraConfig(name="echo", **base), get_persona("hostile-echo-credentials")),
        CameraConfig(name="embeds", knobs=Knobs(uri_userinfo=EMBEDDED_USERINFO), **base),
    )
    private = tmp_path / "private"  # the ready file holds the credentials: not an output
    out = tmp_path / "out"
    with SimulatorThread(Site("planted", cameras)) as simulator:
        features = ["snapshot", "rtsp_udp", "rtsp_tcp", "ptz"]
        target = write_simulated_target(
            private,
            simulator.host.ready(),
            "Planted secret",
            ["planted", "echo", "embeds"],
            features,
        )
        proc = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--target", str(target),
             "--profile", "all-requirements", "--mode", "lab", "--out", str(out),
             "--timeout", "5"],
            capture_output=True, text=True, timeout=300, env=PDFS_ON,
        )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    files = [p for p in out.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"results.json", "results.jsonl", "junit.xml", "compliance.html"} <= names
    assert "summary.html" in names
    if shutil.which("chromium"):  # the PDFs are outputs too (their text is scanned)
        assert {"compliance.pdf", "summary.pdf"} <= names
    assert any(p.parent.name == "allure-results" for p in files)
    assert any("evidence" in p.parts for p in files)
    forms = secret_forms(PASSWORD, USERNAME) | {USERNAME}
    forms |= secret_forms(EMBEDDED_PASSWORD, EMBEDDED_USER) | {EMBEDDED_USERINFO}
    hits = find_secrets([out], forms)
    hits += find_in_text(proc.stdout, forms, "stdout") + find_in_text(proc.stderr, forms, "stderr")
    assert hits == [], "\n".join(hits[:20])
    # The echo camera really did send the secrets (else the scan proves nothing about masking).
    assert "***" in (out / "results.json").read_text(encoding="utf-8")


def test_the_embedded_credentials_reach_the_suite(tmp_path: Path) -> None:
    """The third camera really sends its credentials (else the scan proves nothing): its
    GetStreamUri reply, read as onvif-zeep would, carries them in the URI's userinfo."""
    from conformance.redaction import Redactor

    camera = CameraConfig(name="embeds", knobs=Knobs(uri_userinfo=EMBEDDED_USERINFO))
    with SimulatorThread(Site("embeds", (camera,))) as simulator:
        entry = simulator.host.ready()["devices"][0]
        from conformance.clients.onvif import OnvifClient

        client = OnvifClient(entry["onvif_url"], entry["username"], entry["password"], timeout=5)
        caps = client.call("devicemgmt", "GetCapabilities", Category="Media")
        client.set_service_url("media", caps.Media.XAddr)
        token = client.call("media", "GetProfiles")[0].token
        setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
        uri = client.call("media", "GetStreamUri", StreamSetup=setup, ProfileToken=token).Uri
    assert f"{EMBEDDED_USERINFO}@" in uri
    redactor = Redactor()
    assert EMBEDDED_USERINFO not in redactor(uri)
    # Learnt: the same password elsewhere, in any form, is masked too.
    assert EMBEDDED_PASSWORD not in redactor(f"note: {EMBEDDED_PASSWORD}")
    assert quote(EMBEDDED_PASSWORD, safe="") not in redactor(quote(EMBEDDED_PASSWORD, safe=""))
