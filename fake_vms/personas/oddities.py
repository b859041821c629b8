"""Personas: legal oddities. Unusual but conformant devices that must pass every requirement.

A legal oddity breaks nothing (``breaks`` is empty, ``legal=True``): it writes its replies, or
lays out its services, the way some real devices do and the standard allows. The self-test
judges each on the whole profile and fails on any requirement that does not pass, so a check
that only works for the simulator's own house style is found out. Knobs are in
:mod:`fake_vms.personas.knobs_wire`.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "services-elsewhere",
        "Every service but Device (Media, Media2, Events, PTZ, Imaging, Profile G) is served on "
        "a second port below another path (/gateway/onvif-services/...); GetServices and "
        "GetCapabilities advertise those addresses (Core: the XAddr's scheme and IP match the "
        "request; port and path may differ)",
        (),
        "Services on their own port or scheme: Apra-Labs/ONVIF-Device-Manager#28 (Media on "
        "http :80 beside a device service on https), IOTechSystems/onvif PR #110 (a distinct "
        "Media2 endpoint overwritten by Media1's XAddr), patrickmichalina/onvif-rx#52",
        knobs=Knobs(services_elsewhere=True),
        legal=True,
    ),
    Persona(
        "soap-prefixes",
        "Replies use other namespace prefixes, all declared: SOAP-ENV:, tt1:, onvtopic: for "
        "topics, and the operation's own namespace as the default namespace",
        (),
        "gSOAP-style SOAP-ENV: envelopes: home-assistant/core#73985 and #84551, "
        "python-onvif-zeep PR #46, python-zeep#126; the ONVIF DTT's namespace robustness "
        "tests (DEVICE-6-1-x)",
        knobs=Knobs(soap_prefixes=True),
        legal=True,
    ),
    Persona(
        "long-tokens",
        "Profile, configuration, source and PTZ tokens are 64 characters (tt:ReferenceToken's "
        "maximum) with '.', '-' and '_' in them",
        (),
        "Vendor tokens unlike 'profile_1': ZoneMinder#2573 (UUID-style profile tokens), "
        "ltoscano/ponvif#2 (a token with a space), agsh/onvif#369 ('ProfileToken006')",
        knobs=Knobs(long_tokens=True),
        legal=True,
    ),
    Persona(
        "extra-elements",
        "Replies carry a vendor SOAP header block, vendor attributes on profiles and "
        "configurations, and vendor elements where the schema ends in xs:any, all in the "
        "vendor's own namespace",
        (),
        "Vendor extensions in replies: python-onvif-zeep#57 and python-zeep#1472 "
        "(Extension/xs:any content), home-assistant/core#92308 (hikxsd: vendor namespace)",
        knobs=Knobs(extra_elements=True),
        legal=True,
    ),
    Persona(
        "short-keepalive",
        "The HTTP server closes a keep-alive connection after 0.2 s idle, as embedded servers do",
        (),
        "Cameras that drop idle HTTP connections: openvideolibs/python-onvif-zeep-async PR #140 "
        "(Thingino firmware), quatanium/python-onvif#102, home-assistant/core#20126",
        knobs=Knobs(http_idle_timeout_s=0.2),
        legal=True,
    ),
)
