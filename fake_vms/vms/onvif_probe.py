"""The simulated VMS's ONVIF probe: find a camera's stream URIs as an ONVIF client would.

Hand-built SOAP 1.2 over HTTP (requests + ElementTree), the sequence ZoneMinder's
zmonvif-probe.pl and most VMSs use: GetSystemDateAndTime (unauthenticated, to learn the device
clock for the WS-Security timestamp), GetServices, then GetProfiles and GetStreamUri
(RTP-Unicast over RTSP) on Media2 when the device offers it (H.265 lives there), else on Media.
Every request after the first carries a WS-UsernameToken with PasswordDigest. Bounded by
per-request timeouts; loopback only (the simulator never talks to other hosts).

Persona knob ``vms_onvif_fixed_token``: skip GetProfiles and ask for a hard-coded profile token.
"""

from __future__ import annotations

import base64
import hashlib
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

import requests

from fake_vms.onvif.soap import ENV as SOAP12
from fake_vms.onvif.soap import NSMAP, TDS, TRT, TT, WSSE, WSU

TIMEOUT_S = (3.0, 5.0)
DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
TR2 = NSMAP["tr2"]
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ProbeError(Exception):
    """The probe failed; the message never holds credentials."""


def _security(username: str, password: str, created: datetime) -> str:
    nonce = os.urandom(16)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    digest = base64.b64encode(hashlib.sha1(nonce + stamp.encode() + password.encode()).digest())
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" s:mustUnderstand="true">'
        f"<wsse:UsernameToken><wsse:Username>{escape(username)}</wsse:Username>"
        f'<wsse:Password Type="{DIGEST}">{digest.decode()}</wsse:Password>'
        f'<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/'
        f'oasis-200401-wss-soap-message-security-1.0#Base64Binary">'
        f"{base64.b64encode(nonce).decode()}</wsse:Nonce>"
        f"<wsu:Created>{stamp}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    )


class OnvifProbe:
    """One probe of one camera (a new object per request)."""

    def __init__(self, url: str, username: str, password: str, knobs: Any) -> None:
        self.url = url
        self.username = username
        self._password = password
        self.knobs = knobs
        self.offset = timedelta(0)
        self.session = requests.Session()
        self.session.trust_env = False

    def _call(self, url: str, body: str, auth: bool = True) -> ET.Element:
        header = ""
        if auth:
            header = f"<s:Header>{_security(self.username, self._password, self._now())}</s:Header>"
        envelope = (
            f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP12}" '
            f'xmlns:tds="{TDS}" xmlns:trt="{TRT}" xmlns:tr2="{TR2}" xmlns:tt="{TT}">'
            f"{header}<s:Body>{body}</s:Body></s:Envelope>"
        )
        operation = body.split(">", 1)[0].lstrip("<").split()[0]
        try:
            reply = self.session.post(
                url,
                data=envelope.encode(),
                headers={"Content-Type": "application/soap+xml; charset=utf-8"},
                timeout=TIMEOUT_S,
            )
        except requests.RequestException as exc:
            raise ProbeError(f"{operation}: {type(exc).__name__}") from None
        try:
            root = ET.fromstring(reply.content)
        except ET.ParseError:
            raise ProbeError(f"{operation}: HTTP {reply.status_code}, not SOAP") from None
        fault = root.find(f".//{{{SOAP12}}}Fault")
        if fault is not None or reply.status_code >= 400:
            reason = "".join(fault.itertext()).strip()[:200] if fault is not None else ""
            raise ProbeError(f"{operation}: HTTP {reply.status_code} fault {reason}".strip())
        body_element = root.find(f"{{{SOAP12}}}Body")
        if body_element is None or len(body_element) == 0:
            raise ProbeError(f"{operation}: empty SOAP body")
        return body_element[0]

    def _now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def _sync_clock(self) -> None:
        """The device's UTC clock, so the token's Created is within its tolerance."""
        reply = self._call(self.url, "<tds:GetSystemDateAndTime/>", auth=False)
        utc = reply.find(f".//{{{TT}}}UTCDateTime")
        if utc is None:
            return
        try:
            values = [int(utc.findtext(f".//{{{TT}}}{n}") or "") for n in
                      ("Year", "Month", "Day", "Hour", "Minute", "Second")]  # fmt: skip
            device = datetime(*values, tzinfo=UTC)  # type: ignore[misc]
        except ValueError:
            return
        self.offset = device - datetime.now(UTC)

    def _media_addresses(self) -> dict[str, str]:
        reply = self._call(
            self.url, "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability>"
            "</tds:GetServices>",
        )  # fmt: skip
        found = {}
        for service in reply.findall(f"{{{TDS}}}Service"):
            namespace = (service.findtext(f"{{{TDS}}}Namespace") or "").strip()
            xaddr = (service.findtext(f"{{{TDS}}}XAddr") or "").strip()
            if namespace in (TRT, TR2) and xaddr:
                found[namespace] = xaddr
        if not found:
            raise ProbeError("GetServices: the device offers no Media service")
        return found

    def stream_uris(self) -> list[str]:
        self._sync_clock()
        media = self._media_addresses()
        fixed = self.knobs.vms_onvif_fixed_token
        if TR2 in media:
            url = media[TR2]
            tokens = [fixed] if fixed else self._tokens(url, "<tr2:GetProfiles/>", TR2)
            requests_ = [
                f"<tr2:GetStreamUri><tr2:Protocol>RtspUnicast</tr2:Protocol>"
                f"<tr2:ProfileToken>{escape(t)}</tr2:ProfileToken></tr2:GetStreamUri>"
                for t in tokens
            ]
        else:
            url = media[TRT]
            tokens = [fixed] if fixed else self._tokens(url, "<trt:GetProfiles/>", TRT)
            requests_ = [
                "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
                "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
                f"<trt:ProfileToken>{escape(t)}</trt:ProfileToken></trt:GetStreamUri>"
                for t in tokens
            ]
        uris = []
        for body in requests_:
            reply = self._call(url, body)
            uri = next((e.text for e in reply.iter() if e.tag.endswith("}Uri") and e.text), None)
            if uri and uri.strip() not in uris:
                uris.append(uri.strip())
        return uris

    def device_information(self) -> dict[str, str]:
        """GetDeviceInformation: the identity an evidence package names the camera by."""
        self._sync_clock()
        reply = self._call(self.url, "<tds:GetDeviceInformation/>")
        fields = {"Manufacturer": "manufacturer", "Model": "model", "SerialNumber": "serial",
                  "FirmwareVersion": "firmware"}  # fmt: skip
        return {k: (reply.findtext(f"{{{TDS}}}{tag}") or "").strip() for tag, k in fields.items()}

    def _tokens(self, url: str, body: str, namespace: str) -> list[str]:
        reply = self._call(url, body)
        tokens = [p.get("token", "") for p in reply.findall(f"{{{namespace}}}Profiles")]
        tokens = [t for t in tokens if t]
        if not tokens:
            raise ProbeError("GetProfiles: no media profiles")
        return tokens


def device_information(url: str, username: str, password: str, knobs: Any) -> dict[str, str]:
    """Manufacturer, model, serial and firmware of the camera; raises ProbeError."""
    return OnvifProbe(url, username, password, knobs).device_information()


def probe(url: str, username: str, password: str, knobs: Any) -> list[str]:
    """The camera's stream URIs, main profile first; raises ProbeError."""
    return OnvifProbe(url, username, password, knobs).stream_uris()
