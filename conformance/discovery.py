"""Feature discovery: ask the device what it supports, before judging it.

Follows the ONVIF Device Feature Discovery policy: each feature is ``supported``,
``not_supported`` or ``undefined``. Only a valid "not supported" answer (a false capability, a
service that is absent from GetServices) makes a feature not supported; an error or garbled
answer leaves it undefined, and undefined counts as supported, so a device cannot escape a test
by answering badly. Claimed, discovered and required views are recorded side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from conformance.dut import NS_MEDIA, DeviceUnderTest

Support = Literal["supported", "not_supported", "undefined"]

SERVICE_FEATURES = {
    "ptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "events": "http://www.onvif.org/ver10/events/wsdl",
    "media2": "http://www.onvif.org/ver20/media/wsdl",
    "recording_search": "http://www.onvif.org/ver10/search/wsdl",  # Profile G
    "replay": "http://www.onvif.org/ver10/replay/wsdl",
    "recording_control": "http://www.onvif.org/ver10/recording/wsdl",
}


@dataclass
class FeatureView:
    name: str
    claimed: bool
    discovered: Support
    how: str

    @property
    def available(self) -> bool:
        """Whether conditional tests of this feature run: claimed, or not shown unsupported."""
        return self.claimed or self.discovered != "not_supported"

    @property
    def contradiction(self) -> str | None:
        if self.claimed and self.discovered == "not_supported":
            return f"{self.name}: claimed by the supplier, but the device says not supported"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"claimed": self.claimed, "discovered": self.discovered, "how": self.how}


@dataclass
class Discovery:
    features: dict[str, FeatureView] = field(default_factory=dict)
    codecs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": {k: v.to_dict() for k, v in self.features.items()},
            "codecs": self.codecs,
            "errors": self.errors,
        }


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    return None


def discover(dut: DeviceUnderTest) -> Discovery:
    """Run discovery once per device (cached on the device)."""
    return dut.cached("discovery", lambda: _discover(dut))


def _discover(dut: DeviceUnderTest) -> Discovery:
    from conformance.clients.onvif import OnvifError

    claims = dut.device.claims
    found = Discovery()

    def feature(name: str, support: Support, how: str) -> None:
        found.features[name] = FeatureView(name, name in claims.features, support, how)

    try:
        namespaces = {s.Namespace for s in dut.services()}
    except OnvifError as exc:
        namespaces = None
        found.errors.append(f"GetServices: {exc}")
    for name, ns in SERVICE_FEATURES.items():
        if namespaces is None:
            feature(name, "undefined", "GetServices failed")
        else:
            feature(
                name,
                "supported" if ns in namespaces else "not_supported",
                f"GetServices {'lists' if ns in namespaces else 'omits'} {ns}",
            )

    try:
        caps = dut.media("GetServiceCapabilities")
        snapshot = _bool(getattr(caps, "SnapshotUri", None))
        if snapshot is None:
            feature(
                "snapshot", "not_supported", "Media capabilities omit SnapshotUri (default false)"
            )
        else:
            feature(
                "snapshot",
                "supported" if snapshot else "not_supported",
                f"Media GetServiceCapabilities SnapshotUri={str(snapshot).lower()}",
            )
        streaming = getattr(caps, "StreamingCapabilities", None)
        multicast = (
            _bool(getattr(streaming, "RTPMulticast", None)) if streaming is not None else None
        )
        # A boolean capability has no schema default: absent means "not signalled" (Media 5.21).
        feature(
            "rtp_multicast",
            "supported" if multicast else "not_supported",
            f"Media StreamingCapabilities RTPMulticast={multicast}",
        )
        tcp = _bool(getattr(streaming, "RTP_RTSP_TCP", None)) if streaming is not None else None
        feature(
            "rtsp_tcp",
            "undefined" if tcp is None else ("supported" if tcp else "not_supported"),
            f"Media StreamingCapabilities RTP_RTSP_TCP={tcp}",
        )
    except Exception as exc:  # noqa: BLE001 - any failure leaves the features undefined
        found.errors.append(f"Media GetServiceCapabilities: {exc}")
        feature("snapshot", "undefined", "Media GetServiceCapabilities failed")
        feature("rtsp_tcp", "undefined", "Media GetServiceCapabilities failed")
        feature("rtp_multicast", "undefined", "Media GetServiceCapabilities failed")

    media_present = namespaces is None or NS_MEDIA in namespaces
    feature(
        "rtsp_udp",
        "supported" if media_present else "not_supported",
        "RTP/UDP is mandatory for every ONVIF Media service",
    )

    try:
        encodings = []
        for profile in dut.profiles():
            vec = getattr(profile, "VideoEncoderConfiguration", None)
            if vec is not None and vec.Encoding not in encodings:
                encodings.append(str(vec.Encoding))
        found.codecs = encodings
        feature(
            "h265",
            "supported" if "H265" in encodings else "undefined",
            f"profile encodings: {', '.join(encodings) or 'none'}",
        )
    except Exception as exc:  # noqa: BLE001
        found.errors.append(f"Media GetProfiles: {exc}")
        feature("h265", "undefined", "Media GetProfiles failed")
    _discover_reverse_replay(dut, found, feature)
    return found


def _discover_reverse_replay(dut: DeviceUnderTest, found: Discovery, feature: Any) -> None:
    """Replay GetServiceCapabilities ReversePlayback (absent means false, Replay 5.1)."""
    if found.features["replay"].discovered == "not_supported":
        feature("reverse_replay", "not_supported", "no Replay service")
        return
    try:
        reverse = _bool(getattr(dut.call("replay", "GetServiceCapabilities"), "ReversePlayback",
                                None))  # fmt: skip
        feature(
            "reverse_replay",
            "supported" if reverse else "not_supported",
            f"Replay GetServiceCapabilities ReversePlayback={reverse}",
        )
    except Exception as exc:  # noqa: BLE001 - any failure leaves the feature undefined
        found.errors.append(f"Replay GetServiceCapabilities: {exc}")
        feature("reverse_replay", "undefined", "Replay GetServiceCapabilities failed")
