"""Security checks judged on recorded fake_vms answers and on hand-written field answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.checks.device import Refusal, check_refused
from conformance.checks.security import (
    challenge_schemes,
    check_default_credentials,
    check_firmware,
    check_lockout,
    check_no_basic,
    check_ports,
    check_privilege,
    check_replay_rejected,
    check_rtsp_anonymous,
    check_snapshot_anonymous,
    check_stale_created,
    check_tls,
    declared_reason,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def recorded(device: str) -> dict:
    return json.loads((FIXTURES / f"{device}.json").read_text(encoding="utf-8"))


def refusal(data: dict) -> Refusal:
    return Refusal(
        data["kind"],
        http_status=data["http_status"],
        code=data["code"],
        subcodes=tuple(data["subcodes"]),
        www_authenticate=tuple(data["www_authenticate"]),
    )


def basic_answer(status: int) -> Refusal:
    return Refusal("answered", http_status=200) if status == 200 else Refusal("http", status)


def defaults_accepted(device: str) -> dict[str, bool]:
    answers = recorded(device)["default_credentials"]
    return {label: a["kind"] == "answered" for label, a in answers.items()}


# -- recorded: the known-good camera passes every check ------------------------------------------


def test_good_camera_passes_every_check():
    good = recorded("good")
    assert check_default_credentials(defaults_accepted("good")) == []
    assert check_refused("GetDeviceInformation", refusal(good["anonymous"])) == []
    anonymous = refusal(good["anonymous"])
    assert check_no_basic(anonymous.www_authenticate, basic_answer(good["basic_status"])) == []
    first, replay = refusal(good["nonce_first"]), refusal(good["nonce_replay"])
    assert check_replay_rejected(first, replay) == []
    assert check_stale_created(refusal(good["stale_created"]), 3600) == []
    assert check_privilege("GetUsers", refusal(good["operator_GetUsers"])) == []
    locked = refusal(good["operator_after_failures"]).kind != "answered"
    assert check_lockout(locked, [0.01] * 6, 3.0, 0.5) == []
    assert check_tls(good["tls"]) == []
    assert good["tls"]["certificate"]["self_signed"] is True
    assert check_ports(good["open_ports"], ["http", "https", "rtsp"]) == []


# -- recorded: each persona fails its own check ----------------------------------------------


def test_default_credentials_persona():
    problems = check_default_credentials(defaults_accepted("default-credentials"))
    assert problems == ["documented default credential admin:admin is accepted"]


def test_basic_auth_persona():
    data = recorded("basic-auth")
    problems = check_no_basic(
        refusal(data["anonymous"]).www_authenticate, basic_answer(data["basic_status"])
    )
    assert len(problems) == 2
    assert "offers Basic" in problems[0] and "accepted" in problems[1]
    # ... while ONVIF-DEV-AUTH-01's check still sees its Digest challenge
    assert check_refused("GetDeviceInformation", refusal(data["anonymous"])) == []


def test_nonce_replay_persona():
    data = recorded("nonce-replay-accepted")
    problems = check_replay_rejected(refusal(data["nonce_first"]), refusal(data["nonce_replay"]))
    assert problems == ["a replayed WS-Security nonce was accepted"]


def test_stale_created_persona():
    data = recorded("stale-created-accepted")
    assert check_stale_created(refusal(data["stale_created"]), 3600) != []


def test_tls10_persona():
    data = recorded("tls10-only")
    assert data["tls"]["accepted"]["TLSv1"] is True
    problems = check_tls(data["tls"])
    assert "legacy TLS accepted: TLSv1" in problems
    assert "neither TLS 1.2 nor TLS 1.3 is offered" in problems


def test_undeclared_port_persona():
    data = recorded("undeclared-open-port")
    assert check_ports(data["open_ports"], ["http", "https", "rtsp"]) != []


def test_no_lockout_persona():
    data = recorded("no-lockout")
    locked = refusal(data["operator_after_failures"]).kind != "answered"
    assert check_lockout(locked, [0.01] * 6, 3.0, 0.5) != []


def test_operator_can_admin_persona():
    data = recorded("operator-can-admin")
    problems = check_privilege("GetUsers", refusal(data["operator_GetUsers"]))
    assert problems == ["an Operator-level user could call the Administrator operation GetUsers"]


# -- hand-written field answers (provenance in each case) ------------------------------------


@pytest.mark.parametrize(
    ("header", "schemes"),
    [
        # Hikvision-style web server with Basic next to Digest (Q5: BigTonyTones server #32)
        (['Basic realm="DS-2CD2032-I"'], ["basic"]),
        (
            ['Digest realm="IP Camera", nonce="abc", qop="auth", Basic realm="IP Camera"'],
            ["digest", "basic"],
        ),
        # RFC 7616 SHA-256 and MD5 challenges on separate lines (Q6)
        (
            ['Digest realm="a, b", nonce="x", algorithm=SHA-256', 'Digest realm="c", nonce="y"'],
            ["digest", "digest"],
        ),
        (["Negotiate"], ["negotiate"]),
    ],
)
def test_challenge_schemes(header, schemes):
    assert challenge_schemes(header) == schemes


def test_legacy_tls_and_weak_certificate():
    """A 2014-era camera web server: TLS 1.0-1.2, RSA 1024, SHA-1 (SEC-TLS-08 research row)."""
    report = {
        "port": 443,
        "accepted": {"TLSv1": True, "TLSv1.1": True, "TLSv1.2": True, "TLSv1.3": False},
        "certificate": {"key_type": "RSA", "key_bits": 1024, "signature_algorithm": "sha1-RSA"},
    }
    problems = check_tls(report)
    assert problems == [
        "legacy TLS accepted: TLSv1, TLSv1.1",
        "RSA key of 1024 bits (at least 2048)",
        "certificate signed with sha1-RSA",
    ]


def test_no_tls_at_all():
    assert check_tls({"port": 443, "accepted": {}}) == ["no TLS offered on port 443"]


def test_lockout_by_slowdown_passes():
    """Devices that tarpit instead of locking (answers grow from 10 ms to 2 s) comply."""
    assert check_lockout(False, [0.01, 0.01, 0.5, 1.0, 2.0, 2.0], 3.0, 0.5) == []


def test_anonymous_rtsp_and_snapshot():
    assert check_rtsp_anonymous(401) == []
    assert check_rtsp_anonymous(200) != []
    assert check_snapshot_anonymous(200, True) != []  # Q26: snapshot served anonymously
    assert check_snapshot_anonymous(None, False) == []


def test_firmware():
    assert check_firmware("V5.5.0 build 170725", "V5.5.0 build 170725") == []
    assert check_firmware("", "1.0") == ["GetDeviceInformation reports no firmware version"]
    assert check_firmware("2.0", "1.0") != []


def test_declared_reason_never_passes():
    assert declared_reason("secure boot", "").endswith("no answer in the supplier declaration")
    assert declared_reason("secure boot", "yes, TPM 2.0").startswith("declared, not verifiable")
