"""``cctv-conformance zm``: where it cannot run it says why with its own exit status (fast,
always run); where it can, bring-up is idempotent and binds loopback only."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from conformance import zoneminder as zm
from conformance.cli import main


def test_cannot_run_says_why_with_its_own_status(monkeypatch, capsys) -> None:
    monkeypatch.setattr(zm, "why_cannot_run", lambda: "not root (installing packages needs root)")
    assert main(["zm", "up"]) == zm.EXIT_CANNOT_RUN
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "cctv-conformance zm: ZoneMinder cannot run here: not root (installing packages needs root)"
    ]
    assert main(["zm", "check"]) == zm.EXIT_CANNOT_RUN


def test_not_debian_and_not_root_are_detected(monkeypatch) -> None:
    monkeypatch.setattr(zm.Path, "exists", lambda self: False)
    assert "not a Debian system" in (zm.why_cannot_run() or "")


def test_step_timeout_is_a_bring_up_error() -> None:
    with pytest.raises(zm.BringUpError) as info:
        zm._sh(["sleep", "5"], 0.2, zm.EXIT_START_FAILED, "slow step")
    assert info.value.status == zm.EXIT_START_FAILED
    assert "timed out" in str(info.value)


def test_up_is_idempotent_and_loopback_only(zm_ready: dict) -> None:
    started = time.monotonic()
    again = zm.up(quiet=True)
    assert again["url"] == zm_ready["url"]
    assert time.monotonic() - started < 5, "a second `up` must only check, not restart"
    port = zm_ready["port"]
    assert Path("/etc/apache2/ports.conf").read_text().strip() == f"Listen 127.0.0.1:{port}"
    listeners = subprocess.run(
        ["ss", "-ltnH"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    for line in listeners.splitlines():
        local = line.split()[3]
        if local.endswith((f":{port}", ":3306")):
            assert local.startswith("127.0.0.1:"), f"not loopback: {local}"
    assert oct(Path(zm.DEFAULT_STATE / "ready.json").stat().st_mode & 0o777) == "0o600"


def test_up_writes_a_target_naming_its_own_ready_file(tmp_path: Path) -> None:
    from conformance.targets import load_target
    from conformance.zoneminder_target import write_target

    state = tmp_path / "state"
    state.mkdir()
    path = write_target(state)
    assert path == state / "zoneminder.yaml"
    text = path.read_text()
    assert f"ready_file: {(state / 'ready.json').resolve()}" in text
    assert "/var/lib/cctv-zm/ready.json" not in text.split("simulator:", 1)[1]
    (state / "ready.json").write_text(
        '{"vms": {"adapter": "zoneminder", "url": "http://127.0.0.1:1/zm", "username": "admin",'
        ' "password": "x"}, "devices": []}'
    )
    target = load_target(str(path))
    assert target.vms is not None and target.vms.adapter == "zoneminder"


def test_summary_line_names_what_failed(capsys) -> None:
    from conformance.audit import attention as _attention

    rows = [
        {"id": "VMS-MEDIA-01", "level": "mandatory", "outcome": "pass"},
        {"id": "VMS-EXPORT-EVIDENCE-01", "level": "optional", "outcome": "fail"},
        {"id": "VMS-REC-01", "level": "mandatory", "outcome": "inconclusive"},
    ]
    assert _attention(rows) == (
        "failed: VMS-EXPORT-EVIDENCE-01 (optional); inconclusive: VMS-REC-01"
    )
