"""Personas: WS-Discovery and RTSP transport quirks (research notes Q9, Q14, Q20)."""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        name="wsd-silent",
        description="Never answers a WS-Discovery Probe (not discoverable), so no ProbeMatch "
        "exists to carry its types, scopes or addresses.",
        breaks=("WSD-PROBE-01", "WSD-MATCH-01", "WSD-XADDR-01"),
        provenance="Q20: onvif/specs#520 (devices not discoverable by default until configured); "
        "RogerHardiman/onvif-audit README (falls back to IP-range scans)",
        knobs=Knobs(wsd_silent=True),
    ),
    Persona(
        name="wsd-xaddr-zero",
        description="ProbeMatch XAddrs advertise http://0.0.0.0:<port>/onvif/device_service.",
        breaks=("WSD-XADDR-01",),
        provenance="Q20/Q9: go2rtc pkg/onvif helpers.go 'fix some buggy cameras "
        "<wsdd:XAddrs>http://0.0.0.0:8080/onvif/device_service</wsdd:XAddrs>'",
        knobs=Knobs(wsd_xaddr_host="0.0.0.0"),
    ),
    Persona(
        name="wsd-wrong-types",
        description="ProbeMatch Types list only tds:Device, without the "
        "dn:NetworkVideoTransmitter that Profile S clients probe for.",
        breaks=("WSD-MATCH-01",),
        provenance="Q20: andreikop/python-ws-discovery PR #25 (Types matching depends on the dn "
        "prefix/type); ONVIF Profiles conformance spec profile support check (S requires "
        "dn:NetworkVideoTransmitter)",
        knobs=Knobs(wsd_omit_nvt_type=True),
    ),
    Persona(
        name="no-http-tunnel",
        description="GetStreamUri gives an RTSP-over-HTTP URI, but the tunnel path answers 404.",
        breaks=("STREAM-RTSP-HTTP-01", "STREAM-RTSP-HTTP-02"),
        provenance="Spec-derived: ONVIF Streaming 5.1.1.4 makes RTP/RTSP/HTTP/TCP mandatory and "
        "DTT RTSS-1-1-42 tests it; research notes 2.1 and Q10 (RtspOverHttp on the web port)",
        knobs=Knobs(rtsp_http_tunnel=False),
    ),
    Persona(
        name="tunnel-no-linebreaks",
        description="The HTTP tunnel decodes each POST read on its own as strict base64, so "
        "line breaks or a base64 group split across writes tear the tunnel down.",
        breaks=("STREAM-RTSP-HTTP-02",),
        provenance="Spec-derived: DTT RTSS-1-1-45 'RTP-Unicast/RTSP/HTTP/TCP (line breaks in "
        "base64 encoding)' exists for decoders that reject them (research notes 1.6)",
        knobs=Knobs(tunnel_base64_strict=True),
    ),
    Persona(
        name="keepalive-ignored",
        description="GET_PARAMETER/SET_PARAMETER keep-alives within a session are answered 400 "
        "and the connection is dropped, ending the stream.",
        breaks=("STREAM-KEEPALIVE-01",),
        provenance="Q14: bluenviron/mediamtx #842 (SET_PARAMETER -> 400 and connection closed); "
        "ngraziano/SharpRTSP #63 (Hipcam wants OPTIONS, not GET_PARAMETER, as keep-alive)",
        knobs=Knobs(rtsp_keepalive_rejected=("GET_PARAMETER", "SET_PARAMETER")),
    ),
)
