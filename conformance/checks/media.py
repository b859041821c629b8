"""Checks of the ONVIF Media service and of the media it serves (URIs, snapshots, streams)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_URI_OCTETS = 128


@dataclass(frozen=True)
class EncoderView:
    """The parts of a VideoEncoderConfiguration the checks compare."""

    token: str
    encoding: str
    width: int
    height: int
    fps: float

    @classmethod
    def of(cls, vec: Any) -> EncoderView:
        """From a zeep tt:VideoEncoderConfiguration (no RateControl -> fps 0, not an error)."""
        rate = getattr(vec, "RateControl", None)
        return cls(
            token=str(vec.token),
            encoding=str(vec.Encoding),
            width=int(vec.Resolution.Width),
            height=int(vec.Resolution.Height),
            fps=float(rate.FrameRateLimit) if rate is not None else 0.0,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "encoding": self.encoding,
            "resolution": f"{self.width}x{self.height}",
            "fps": self.fps,
        }


def profile_summary(profiles: Iterable[Any]) -> list[dict[str, Any]]:
    """GetProfiles reply -> per profile: token, name, has_vsc, encoding (None if no encoder).

    Only what :func:`check_profiles` judges, so the evidence shows exactly what was compared.
    """
    summary = []
    for profile in profiles:
        vec = getattr(profile, "VideoEncoderConfiguration", None)
        summary.append(
            {
                "token": str(profile.token),
                "name": str(getattr(profile, "Name", "")),
                "has_vsc": getattr(profile, "VideoSourceConfiguration", None) is not None,
                "encoding": str(vec.Encoding) if vec is not None else None,
            }
        )
    return summary


def encoder_views(configurations: Iterable[Any]) -> list[EncoderView]:
    """GetVideoEncoderConfigurations reply -> the comparable view of each configuration."""
    return [EncoderView.of(vec) for vec in configurations]


def check_profiles(profiles: list[dict[str, Any]]) -> list[str]:
    """ONVIF-MEDIA-PROF-01: a VMS streams a profile only if it has a source and an H.264 encoder.

    ``profiles``: token, has_vsc, encoding (or None), as made by :func:`profile_summary`.
    """
    if not profiles:
        return ["GetProfiles returned no profile"]
    ready = [p for p in profiles if p["has_vsc"] and p["encoding"] == "H264"]
    if ready:
        return []
    described = "; ".join(
        f"{p['token']}: video source {'yes' if p['has_vsc'] else 'missing'}, "
        f"encoder {p['encoding'] or 'missing'}"
        for p in profiles
    )
    return [f"no profile has both a VideoSourceConfiguration and an H.264 encoder ({described})"]


def check_encoder_listed(profile_vec: EncoderView, listed: list[EncoderView]) -> list[str]:
    """ONVIF-MEDIA-ENC-01: a VMS configures streams from either view; they must agree."""
    for vec in listed:
        if vec.token == profile_vec.token:
            diffs = [
                f"{name}: profile {a}, GetVideoEncoderConfigurations {b}"
                for name, a, b in (
                    ("encoding", profile_vec.encoding, vec.encoding),
                    (
                        "resolution",
                        f"{profile_vec.width}x{profile_vec.height}",
                        f"{vec.width}x{vec.height}",
                    ),
                    ("frame rate limit", profile_vec.fps, vec.fps),
                )
                if a != b
            ]
            return [f"encoder {vec.token} disagrees: " + "; ".join(diffs)] if diffs else []
    return [
        f"encoder {profile_vec.token} of the profile is not returned by "
        "GetVideoEncoderConfigurations"
    ]


def check_uri(kind: str, uri: str, device_host: str, schemes: tuple[str, ...]) -> list[str]:
    """ONVIF-MEDIA-URI-01: a URI naming another host (or too long) is unusable by clients."""
    problems = []
    parts = urlsplit(uri)
    if parts.scheme not in schemes:
        problems.append(f"{kind} URI scheme {parts.scheme!r}, expected {' or '.join(schemes)}")
    if (parts.hostname or "").lower() != device_host.lower():
        problems.append(f"{kind} URI host {parts.hostname} is not the device's host {device_host}")
    if len(uri.encode()) > MAX_URI_OCTETS:
        problems.append(f"{kind} URI is {len(uri.encode())} octets; the limit is {MAX_URI_OCTETS}")
    return problems


def check_snapshot(status: int, decodable: bool) -> list[str]:
    """ONVIF-MEDIA-SNAP-01, the body: the snapshot URI answers 200 with a decodable JPEG."""
    if status != 200:
        return [f"snapshot GET answered HTTP {status}"]
    if not decodable:
        return ["the body is not a decodable JPEG (no SOI marker, or FFmpeg cannot decode it)"]
    return []


def check_live(distances: list[float], max_mad: float) -> list[str]:
    """ONVIF-MEDIA-SNAP-01, the picture: the snapshot matches a live frame of the same moment.

    ``distances``: mean absolute difference (grey levels) between the snapshot's thumbnail and
    each live frame's, captured around the snapshot. The closest frame decides, so the stream's
    latency and a moving scene do not count against the device; a placeholder, a frozen or a
    foreign picture matches none. Zero frames is not a pass (the caller says inconclusive).
    """
    if not distances:
        return ["no live frame was decoded to compare the snapshot with"]
    best = min(distances)
    if best > max_mad:
        return [
            f"the snapshot is not the live picture: the closest of {len(distances)} live frames "
            f"differs by {best:.1f} grey levels (64x36 greyscale thumbnails; at most {max_mad:g}"
            " allowed), as a static placeholder or stale picture would"
        ]
    return []


def check_snapshot_format(
    content_type: str, size: tuple[int, int] | None, expected: tuple[int, int]
) -> list[str]:
    """ONVIF-MEDIA-SNAP-02 (a "should"): the profile's resolution, served as image/jpeg.

    Media 5.16.1 takes the JPEG settings from the profile "if suitable", so a differing size
    is a recommendation, never a failure of SNAP-01."""
    problems = []
    if content_type.split(";")[0].strip().lower() != "image/jpeg":
        problems.append(f"Content-Type is {content_type!r}, expected image/jpeg")
    if size is not None and size != expected:
        problems.append(
            f"snapshot is {size[0]}x{size[1]}, the encoder is {expected[0]}x{expected[1]}"
        )
    return problems
