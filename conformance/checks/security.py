"""Checks of the secure-by-default profile: pure functions over recorded answers.

The suites (conformance/suites/security) make the requests and describe the answers as plain
values (:class:`~conformance.checks.device.Refusal`, dicts of TLS facts, lists of ports); these
functions judge them and return the list of problems, empty when the device complies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from conformance.checks.device import Refusal, _is_not_authorized

WEAK_SIGNATURES = ("md5", "sha1")
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
LEGACY_TLS = ("TLSv1", "TLSv1.1")
MODERN_TLS = ("TLSv1.2", "TLSv1.3")
DECLARED_PREFIX = "declared, not verifiable over the network: "

_SCHEME = re.compile(r"(?:^|,)\s*([A-Za-z][A-Za-z0-9_-]*)(?=\s+[A-Za-z0-9_-]+=|\s*$|\s*,)")


def challenge_schemes(www_authenticate: Iterable[str]) -> list[str]:
    """Auth schemes offered in WWW-Authenticate values (several may share one header line).

    A scheme is a token followed by auth-params (``Digest realm=...``) or standing alone; the
    ``key=value`` pairs in between are not schemes.
    """
    schemes: list[str] = []
    for value in www_authenticate:
        for match in _SCHEME.finditer(value):
            token = match.group(1)
            rest = value[match.end(1) :].lstrip()
            if rest.startswith("="):
                continue
            schemes.append(token.lower())
    return schemes


def is_refusal(answer: Refusal) -> bool:
    """A standard refusal: HTTP 401/403, or a SOAP NotAuthorized fault."""
    if answer.kind == "answered":
        return False
    if answer.kind == "fault":
        return _is_not_authorized(answer.subcodes) or answer.http_status in (401, 403)
    return answer.http_status in (401, 403)


def check_default_credentials(accepted: dict[str, bool]) -> list[str]:
    """``accepted``: masked ``user:p***`` label -> whether the device accepted it."""
    if not accepted:
        from conformance.outcomes import Inconclusive

        raise Inconclusive("no default credential was tried: nothing to judge")
    return [
        f"documented default credential {label} is accepted" for label, ok in accepted.items() if ok
    ]


def check_snapshot_anonymous(status: int | None, uri_known: bool) -> list[str]:
    """An anonymous GET of the snapshot URI must be refused with 401 or 403."""
    if not uri_known:
        return []
    if status in (401, 403):
        return []
    return [f"snapshot URI answered HTTP {status} without credentials (expected 401/403)"]


def check_rtsp_anonymous(status: int | None) -> list[str]:
    """An anonymous RTSP DESCRIBE must be refused with 401 (or 403)."""
    if status in (401, 403):
        return []
    return [f"RTSP DESCRIBE answered {status} without credentials (expected 401)"]


def check_no_basic(challenge: Iterable[str], basic_answer: Refusal) -> list[str]:
    """No Basic offered in a plain-HTTP challenge, and Basic credentials not accepted."""
    problems = []
    if "basic" in challenge_schemes(challenge):
        problems.append("the HTTP 401 challenge offers Basic over plain HTTP")
    if basic_answer.kind == "answered":
        problems.append("HTTP Basic credentials were accepted over plain HTTP")
    return problems


def check_replay_rejected(first: Refusal, replay: Refusal) -> list[str]:
    """The first use of a nonce is accepted, the replay refused (ONVIF Core, WS-Security)."""
    if first.kind != "answered":
        return [f"a fresh UsernameToken was refused (kind={first.kind}, HTTP {first.http_status})"]
    if replay.kind == "answered":
        return ["a replayed WS-Security nonce was accepted"]
    return []


def check_stale_created(answer: Refusal, age_s: float) -> list[str]:
    """A UsernameToken whose Created lies ``age_s`` seconds in the past must be refused."""
    if answer.kind == "answered":
        return [f"a UsernameToken created {age_s:.0f} s ago was accepted"]
    return []


def check_privilege(operation: str, answer: Refusal) -> list[str]:
    """An Operator calling an Administrator-only operation gets a refusal."""
    if answer.kind == "answered":
        return [f"an Operator-level user could call the Administrator operation {operation}"]
    if not is_refusal(answer):
        return [
            f"{operation} as Operator was refused in a non-standard way (kind={answer.kind}, "
            f"HTTP {answer.http_status}, subcodes={','.join(answer.subcodes) or '-'})"
        ]
    return []


def check_lockout(
    good_refused_after: bool, latencies: list[float], slowdown_factor: float, min_slow_s: float
) -> list[str]:
    """After repeated failures the account is locked (the right password is refused) or the
    answers are slowed: the last failures take ``slowdown_factor`` times the first ones and at
    least ``min_slow_s`` seconds."""
    if good_refused_after:
        return []
    if len(latencies) >= 4:
        head = sum(latencies[:2]) / 2
        tail = sum(latencies[-2:]) / 2
        if tail >= max(head * slowdown_factor, min_slow_s):
            return []
    return [
        f"{len(latencies)} failed logins were neither locked out nor slowed "
        f"(the right password still worked; answer times "
        f"{', '.join(f'{t:.3f}' for t in latencies[:3])} ... s)"
    ]


def check_tls(report: dict[str, Any]) -> list[str]:
    """TLS offered at 1.2 or newer, legacy versions refused, a sound certificate key."""
    accepted: dict[str, bool] = report.get("accepted", {})
    if not any(accepted.values()):
        return [f"no TLS offered on port {report.get('port')}"]
    problems = []
    legacy = [v for v in LEGACY_TLS if accepted.get(v)]
    if legacy:
        problems.append(f"legacy TLS accepted: {', '.join(legacy)}")
    if not any(accepted.get(v) for v in MODERN_TLS):
        problems.append("neither TLS 1.2 nor TLS 1.3 is offered")
    cert = report.get("certificate") or {}
    key_type, bits = cert.get("key_type"), cert.get("key_bits") or 0
    if key_type == "RSA" and bits < MIN_RSA_BITS:
        problems.append(f"RSA key of {bits} bits (at least {MIN_RSA_BITS})")
    if key_type == "EC" and bits < MIN_EC_BITS:
        problems.append(f"EC key of {bits} bits (at least {MIN_EC_BITS})")
    signature = str(cert.get("signature_algorithm") or "").lower()
    if any(weak in signature for weak in WEAK_SIGNATURES):
        problems.append(f"certificate signed with {cert.get('signature_algorithm')}")
    return problems


def check_ports(open_ports: Iterable[int], declared: Iterable[int]) -> list[str]:
    """Every open port among those probed was declared by the supplier."""
    allowed = set(declared)
    extra = sorted(set(open_ports) - allowed)
    return [f"undeclared open TCP port(s): {', '.join(map(str, extra))}"] if extra else []


def check_firmware(reported: str | None, declared: str) -> list[str]:
    """The device reports a firmware version, and it is the one the supplier declared."""
    if not (reported or "").strip():
        return ["GetDeviceInformation reports no firmware version"]
    if declared and reported.strip() != declared.strip():
        return [f"device reports firmware {reported!r}, the supplier declared {declared!r}"]
    return []


def declared_reason(topic: str, answer: str) -> str:
    """The not_tested reason of a requirement that only the supplier's declaration covers."""
    said = answer.strip() or "no answer in the supplier declaration"
    return f"{DECLARED_PREFIX}{topic}: {said}"
