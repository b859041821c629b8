"""Security personas (secure-by-default profile): each breaks one SEC requirement.

Provenance cites the field evidence in shared/research/onvif-profiles-streaming-quirks.md (Q1,
Q5, Q7) or the Secure by Default / NCSC / ONVIF Core rows of
shared/research/uk-evidence-and-security-requirements.md section 3 (SEC-* catalogue).
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "default-credentials",
        "The administrator account still has the make's documented default password admin:admin",
        ("SEC-DEFCRED-01",),
        "Default passwords left in place: SCC Secure by Default 'Force the installer to change "
        "the password'; PSTI Schedule 1 para 1; SEC-PWD-DEFAULT-01 in the UK security research",
        camera_overrides={"password": "admin"},
    ),
    Persona(
        "basic-auth",
        "The 401 challenge also offers HTTP Basic, and Basic credentials are accepted over HTTP",
        ("SEC-NOBASIC-01",),
        "Q5: UniFi Protect receiving WWW-Authenticate: Basic (BigTonyTones server #32); Q26: "
        "snapshot_auth basic (HA #43376); ONVIF Core requires Digest (RFC 2617) over HTTP",
        knobs=Knobs(basic_auth_accepted=True),
    ),
    Persona(
        "nonce-replay-accepted",
        "A WS-Security UsernameToken replayed with the same nonce is accepted again",
        ("SEC-NONCE-01",),
        "Q1: replay protection missing ('fail if ... replayed nonces are accepted'); ONVIF Core "
        "username token profile: the server shall reject tokens without nonce and timestamp",
        knobs=Knobs(wsse_nonce_replay_accepted=True),
    ),
    Persona(
        "stale-created-accepted",
        "A WS-Security UsernameToken created an hour ago is accepted",
        ("SEC-CREATED-01",),
        "Q1: devices that skip the Created window check (milg0/onvif-java-lib #2 describes Axis "
        "checking it 'to prevent replay attacks'; others accept any time)",
        knobs=Knobs(wsse_stale_created_accepted=True),
    ),
    Persona(
        "tls10-only",
        "HTTPS is offered with TLS 1.0 only (legacy cipher suites)",
        ("SEC-TLS-01",),
        "SEC-TLS-08 in the UK security research (no SSLv3/TLS 1.0/1.1); ONVIF Security Baseline "
        "TLS list; legacy camera firmware with an OpenSSL 1.0 era web server",
        knobs=Knobs(tls_version="TLSv1"),
    ),
    Persona(
        "undeclared-open-port",
        "A debug shell (telnet-like banner) listens on a port the supplier did not declare",
        ("SEC-PORTS-01",),
        "SbD 'All ports and communication protocols' row; SEC-PORTS-10 in the UK security "
        "research (telnet/debug services left open on camera firmware)",
        knobs=Knobs(undeclared_port_open=True),
    ),
    Persona(
        "no-lockout",
        "Repeated failed logins are neither slowed nor locked",
        ("SEC-LOCKOUT-01",),
        "Q7: lockout behaviour varies by vendor (measure lockout after N failures); "
        "SEC-AUTH-LOCKOUT-07 in the UK security research",
        knobs=Knobs(lockout_disabled=True),
    ),
    Persona(
        "operator-can-admin",
        "An Operator-level user can call Administrator-only operations such as GetUsers",
        ("SEC-PRIV-01",),
        "SEC-RBAC-15 in the UK security research; ONVIF Core 5.9.4 access classes (GetUsers is "
        "READ_SYSTEM_SECRET: Administrator only)",
        knobs=Knobs(operator_is_admin=True),
    ),
)
