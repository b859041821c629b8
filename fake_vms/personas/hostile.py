"""Personas: hostile devices (issue 5). Each misbehaves on the wire in one known, nasty way.

Hostile personas differ from quirk personas: one broken connection breaks many requirements at
once, so ``breaks`` names the requirements that must not pass (each fail or inconclusive with a
reason) and ``hostile=True`` tells the self-test to hold the rest to "pass, or fail/inconclusive
with a reason", every test to end within a bound set by the timeout, and the run to complete.
Behaviours are in :mod:`fake_vms.hostile`; provenance is the attack or failure class as
catalogued publicly (OWASP, CWE) or field reports of broken cameras.
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
        "Hung embedded web servers: e.g. Hikvision/Dahua units whose HTTP daemon wedges "
        "(ONVIF Device Manager users report calls that never return); slowloris-class DoS",
    ),
    _http(
        "hostile-trickle",
        "trickle",
        "Answers ONVIF requests one byte per second (status line included).",
        "Slow-read / slow-send class (CWE-400); overloaded cameras on saturated links",
    ),
    _http(
        "hostile-endless-body",
        "endless_body",
        "Answers with a chunked SOAP body that never ends.",
        "CWE-400 uncontrolled resource consumption; runaway chunked encoders",
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
        "CWE-400; cameras returning whole logs or images in SOAP replies",
    ),
    _http(
        "hostile-malformed-xml",
        "malformed_xml",
        "Answers with broken XML (mismatched tags, bare ampersand, no closing envelope).",
        "Q-class garbled replies from embedded gSOAP builds (python-onvif-zeep issues on "
        "XMLSyntaxError); CWE-20",
    ),
    _http(
        "hostile-wrong-content-type",
        "wrong_content_type",
        "Answers SOAP requests with 200 text/html (a web login page).",
        "Cameras whose web UI answers every path, e.g. on a wrong ONVIF port (onvif-zeep and "
        "node-onvif issues on HTML replies)",
    ),
    _http(
        "hostile-tcp-reset",
        "tcp_reset",
        "Sends the head and half the body of each reply, then resets the connection.",
        "Cameras crashing or rebooting mid-reply; RST from middleboxes",
    ),
    _http(
        "hostile-redirect-loop",
        "redirect_loop",
        "Answers every request with HTTP 302 to the same URL.",
        "Misconfigured HTTP->HTTPS redirects on camera web servers; CWE-835",
    ),
    _http(
        "hostile-echo-credentials",
        "echo_credentials",
        "Answers every request with a NotAuthorized fault that echoes the device's user name "
        "and password (plain, base64, URL-encoded) and the request's Authorization header.",
        "Verbose debug error pages of embedded web servers (CWE-209, CWE-532); the suite "
        "must mask all of it in every output (tests/test_planted_secret.py)",
    ),
    Persona(
        name="hostile-garbage-rtsp",
        description="Answers every RTSP request with binary junk instead of RTSP/1.0.",
        breaks=RTSP_BROKEN,
        provenance="Non-RTSP services on port 554 (e.g. an HTTP or proprietary daemon); "
        "fuzzing-class malformed responses (CWE-20)",
        knobs=Knobs(hostile_rtsp="garbage_rtsp"),
        hostile=True,
    ),
    Persona(
        name="hostile-rtp-flood",
        description="Sends RTP twenty times faster than the declared frame rate.",
        breaks=("STREAM-FPS-01",),
        provenance="Cameras bursting buffered video after a stall (mediamtx/go2rtc reports of "
        "bursts); CWE-400",
        knobs=Knobs(rtp_flood_factor=20),
        hostile=True,
    ),
)
