"""Personas: hostile devices (issue 5). Each misbehaves on the wire in one known, nasty way.

Hostile personas differ from quirk personas: one broken connection breaks many requirements at
once, so ``breaks`` names the requirements that must not pass (each fail or inconclusive with a
reason) and ``hostile=True`` tells the self-test to hold the rest to "pass, or fail/inconclusive
with a reason", every test to end within a bound set by the timeout, and the run to complete.
Behaviours are in :mod:`fake_vms.hostile`; provenance names the attack or failure class
(OWASP, CWE) from issue 5's list, not a field report: none is claimed.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

ONVIF_BROKEN = ("ONVIF-DEV-TIME-01", "ONVIF-DEV-INFO-01", "ONVIF-DEV-SVC-01", "ONVIF-MEDIA-PROF-01")
"""Requirements that cannot pass when every ONVIF HTTP reply is hostile."""
RTSP_BROKEN = ("STREAM-RTSP-UDP-01", "STREAM-RTSP-TCP-01")
"""Requirements that cannot pass when the RTSP port answers with junk."""


def _http(name: str, kind: str, description: str, provenance: str) -> Persona:
    return Persona(
        name=name,
        description=description,
        breaks=ONVIF_BROKEN,
        provenance=provenance,
        knobs=Knobs(hostile_http=kind),
        hostile=True,
    )


PERSONAS: tuple[Persona, ...] = (
    _http(
        "hostile-black-hole",
        "black_hole",
        "Accepts every ONVIF HTTP connection and request, and never answers.",
        "Attack/failure class, not a cited field report: a wedged HTTP daemon; CWE-400 "
        "(issue 5: black-holed connection)",
    ),
    _http(
        "hostile-trickle",
        "trickle",
        "Answers ONVIF requests one byte per second (status line included).",
        "Attack class (slow send, CWE-400), not a cited field report (issue 5: trickle)",
    ),
    _http(
        "hostile-endless-body",
        "endless_body",
        "Answers with a chunked SOAP body that never ends.",
        "Attack class CWE-400 (uncontrolled resource consumption), not a cited field report",
    ),
    _http(
        "hostile-xml-bomb",
        "xml_bomb",
        "Answers with a SOAP envelope carrying a 'billion laughs' entity expansion.",
        "OWASP XML External Entity Prevention Cheat Sheet (billion laughs); CWE-776",
    ),
    _http(
        "hostile-xxe",
        "xxe",
        "Answers with a SOAP envelope whose DOCTYPE declares an external entity (file:///).",
        "OWASP XXE Prevention Cheat Sheet; CWE-611",
    ),
    _http(
        "hostile-oversized",
        "oversized",
        "Answers every ONVIF request with a 50 MB reply.",
        "Attack class CWE-400, not a cited field report (issue 5: oversized response)",
    ),
    _http(
        "hostile-malformed-xml",
        "malformed_xml",
        "Answers with broken XML (mismatched tags, bare ampersand, no closing envelope).",
        "Failure class CWE-20 (improper input validation), not a cited field report "
        "(issue 5: malformed XML)",
    ),
    _http(
        "hostile-wrong-content-type",
        "wrong_content_type",
        "Answers SOAP requests with 200 text/html (a web login page).",
        "Failure class, not a cited field report: a web UI answering the SOAP path "
        "(issue 5: wrong content type)",
    ),
    _http(
        "hostile-tcp-reset",
        "tcp_reset",
        "Sends the head and half the body of each reply, then resets the connection.",
        "Failure class, not a cited field report: a device or middlebox resetting "
        "mid-reply (issue 5: TCP reset)",
    ),
    _http(
        "hostile-redirect-loop",
        "redirect_loop",
        "Answers every request with HTTP 302 to the same URL.",
        "Failure class CWE-835 (loop with unreachable exit), not a cited field report",
    ),
    _http(
        "hostile-echo-credentials",
        "echo_credentials",
        "Answers every request with a NotAuthorized fault that echoes the device's user name "
        "and password (plain, base64, URL-encoded) and the request's Authorization header.",
        "Failure class CWE-209 (sensitive data in error messages), not a cited field "
        "report; the suite must mask it in every output (tests/test_planted_secret.py)",
    ),
    Persona(
        name="hostile-garbage-rtsp",
        description="Answers every RTSP request with binary junk instead of RTSP/1.0.",
        breaks=RTSP_BROKEN,
        provenance="Failure class CWE-20, not a cited field report: a non-RTSP service on "
        "the RTSP port (issue 5: garbage RTSP)",
        knobs=Knobs(hostile_rtsp="garbage_rtsp"),
        hostile=True,
    ),
    Persona(
        name="hostile-rtp-flood",
        description="Sends RTP twenty times faster than the declared frame rate.",
        breaks=("STREAM-FPS-01",),
        provenance="Attack class CWE-400, not a cited field report (issue 5: RTP flood far "
        "above the declared rate)",
        knobs=Knobs(rtp_flood_factor=20),
        hostile=True,
    ),
)
