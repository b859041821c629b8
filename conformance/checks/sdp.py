"""Checks of the SDP a device returns for DESCRIBE (RFC 4566, which ONVIF Streaming requires).

Clients read the session description with strict parsers (Retina, gortsplib, go2rtc) or lenient
ones (FFmpeg): a camera whose SDP breaks the grammar plays in one and not in another. The suite
reads it leniently to stream (so other requirements are judged), and judges it strictly here.
"""

from __future__ import annotations

import ipaddress

NETTYPES = ("IN",)
ADDRTYPES = ("IP4", "IP6")


def sdp_lines(sdp: str) -> list[tuple[str, str]]:
    """(type, value) of every ``<type>=<value>`` line; other non-empty lines as ("", line)."""
    lines = []
    for raw in sdp.replace("\r\n", "\n").split("\n"):
        if not raw:
            continue
        kind, eq, value = raw.partition("=")
        lines.append((kind, value) if eq and len(kind) == 1 else ("", raw))
    return lines


def _address_ok(addrtype: str, address: str) -> bool:
    """A unicast or multicast address (IPv4/IPv6, with an optional /ttl) or a host name."""
    host = address.split("/")[0]
    if not host:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "." in host or host.isalnum()  # an FQDN is allowed by RFC 4566 5.7
    return (ip.version == 4) == (addrtype == "IP4")


def _check_origin(value: str) -> list[str]:
    fields = value.split(" ")
    if len(fields) != 6 or not all(fields):
        return [f"o= line {value!r} does not have the six fields of RFC 4566 5.2"]
    _user, sess_id, sess_version, nettype, addrtype, address = fields
    problems = []
    if not sess_id.isdigit() or not sess_version.isdigit():
        problems.append(f"o= line {value!r}: sess-id and sess-version must be numeric")
    if nettype not in NETTYPES or addrtype not in ADDRTYPES:
        problems.append(f"o= line {value!r}: nettype/addrtype must be IN and IP4 or IP6")
    elif not _address_ok(addrtype, address):
        problems.append(f"o= line {value!r}: {address!r} is not an {addrtype} address")
    return problems


def _check_connection(value: str) -> list[str]:
    fields = value.split(" ")
    if len(fields) != 3 or fields[0] not in NETTYPES or fields[1] not in ADDRTYPES:
        return [f"c= line {value!r} is not '<nettype> <addrtype> <address>' (RFC 4566 5.7)"]
    if not _address_ok(fields[1], fields[2]):
        return [f"c= line {value!r}: {fields[2]!r} is not an {fields[1]} address"]
    return []


def _check_framerate(value: str) -> list[str]:
    rate = value.partition(":")[2].strip()
    try:
        if float(rate) > 0:
            return []
    except ValueError:
        pass
    return [f"a=framerate:{rate} is not a positive frame rate (RFC 4566 6)"]


def _check_rtpmap(value: str) -> list[str]:
    """``a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]``."""
    payload_type, _, encoding = value.partition(":")[2].partition(" ")
    parts = encoding.split("/")
    if (
        not payload_type.isdigit()
        or len(parts) not in (2, 3)
        or not parts[0]
        or not parts[1].isdigit()
        or (len(parts) == 3 and not parts[2].isdigit())
    ):
        return [f"a={value!r} is not '<payload type> <encoding>/<clock rate>' (RFC 4566 6)"]
    return []


def check_sdp(sdp: str) -> list[str]:
    """STREAM-SDP-01: the SDP follows the RFC 4566 grammar that clients parse.

    Judged: v=0 first; one o= with six fields; s=; at least one t= before the first m=; at
    least one m=; every c= with nettype, addrtype and address; every a=rtpmap as
    <payload type> <encoding>/<clock rate>[/<parameters>]; a=framerate a positive number.
    Attribute values and unknown attributes are the device's business and are not judged.
    """
    lines = sdp_lines(sdp)
    if not lines:
        return ["DESCRIBE returned no SDP"]
    problems = []
    if lines[0] != ("v", "0"):
        problems.append(f"the SDP does not start with v=0 (first line: {'='.join(lines[0])!r})")
    first_media = next((i for i, (kind, _) in enumerate(lines) if kind == "m"), len(lines))
    session = lines[:first_media]
    origins = [value for kind, value in session if kind == "o"]
    if len(origins) != 1:
        problems.append(f"the session section has {len(origins)} o= lines; RFC 4566 needs one")
    for value in origins:
        problems += _check_origin(value)
    if not any(kind == "s" for kind, _ in session):
        problems.append("the session section has no s= line (RFC 4566 5.3)")
    if not any(kind == "t" for kind, _ in session):
        problems.append("the session section has no t= line before the first m= (RFC 4566 5.9)")
    if first_media == len(lines):
        problems.append("the SDP describes no media (no m= line)")
    for kind, value in lines:
        if kind == "c":
            problems += _check_connection(value)
        elif kind == "a" and value.startswith("framerate:"):
            problems += _check_framerate(value)
        elif kind == "a" and value.startswith("rtpmap:"):
            problems += _check_rtpmap(value)
        elif kind == "":
            problems.append(f"line {value!r} is not <type>=<value>")
    return problems
