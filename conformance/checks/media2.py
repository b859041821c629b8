"""Checks of the ONVIF Media2 (ver20) service: profiles, URIs and encoder configurations.

Media2 is what Profile T clients (and any client wanting H.265) use; a VMS that finds Media2
advertised switches to it, so a Media2 that answers wrongly loses the camera even where Media1
works (quirk Q17). The extractors turn zeep replies into small plain views, so the evidence
shows exactly what was compared and the checks stay pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from conformance.checks.media import check_uri

VIDEO_CODECS = ("H264", "H265")
"""What Profile T requires a ready-to-use profile to stream (Profile T 7.x Video streaming)."""


@dataclass(frozen=True)
class Media2Encoder:
    """The parts of a tt:VideoEncoder2Configuration that the checks compare."""

    token: str
    encoding: str
    width: int
    height: int
    fps: float | None
    gov_length: int | None
    profile: str | None
    quality: float | None

    @classmethod
    def of(cls, vec: Any) -> Media2Encoder:
        rate = getattr(vec, "RateControl", None)
        gov = getattr(vec, "GovLength", None)
        quality = getattr(vec, "Quality", None)
        return cls(
            token=str(vec.token),
            encoding=str(vec.Encoding),
            width=int(vec.Resolution.Width),
            height=int(vec.Resolution.Height),
            fps=float(rate.FrameRateLimit) if rate is not None else None,
            gov_length=int(gov) if gov is not None else None,
            profile=str(vec.Profile) if getattr(vec, "Profile", None) is not None else None,
            quality=float(quality) if quality is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Media2Options:
    """One tt:VideoEncoder2ConfigurationOptions (one encoding); absent lists mean "any"."""

    encoding: str
    resolutions: list[tuple[int, int]]
    frame_rates: list[float] | None
    gov_range: tuple[int, int] | None
    profiles: list[str] | None
    quality_range: tuple[float, float] | None

    @classmethod
    def of(cls, options: Any) -> Media2Options:
        gov = list(getattr(options, "GovLengthRange", None) or [])
        rates = getattr(options, "FrameRatesSupported", None)
        profiles = getattr(options, "ProfilesSupported", None)
        quality = getattr(options, "QualityRange", None)
        return cls(
            encoding=str(options.Encoding),
            resolutions=[(int(r.Width), int(r.Height)) for r in options.ResolutionsAvailable or []],
            frame_rates=[float(r) for r in rates] if rates else None,
            gov_range=(int(gov[0]), int(gov[-1])) if gov else None,
            profiles=[str(p) for p in profiles] if profiles else None,
            quality_range=(float(quality.Min), float(quality.Max)) if quality is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Media2Profile:
    """A Media2 profile as the checks see it: token, name and its video configurations."""

    token: str
    name: str
    has_vsc: bool
    encoder: Media2Encoder | None
    vsc_token: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "name": self.name,
            "has_vsc": self.has_vsc,
            "vsc_token": self.vsc_token,
            "encoder": self.encoder.to_dict() if self.encoder else None,
        }


def media2_profiles(profiles: Iterable[Any]) -> list[Media2Profile]:
    """GetProfiles(Type=All) reply -> one view per profile."""
    views = []
    for profile in profiles:
        configurations = getattr(profile, "Configurations", None)
        vsc = getattr(configurations, "VideoSource", None) if configurations is not None else None
        vec = getattr(configurations, "VideoEncoder", None) if configurations is not None else None
        views.append(
            Media2Profile(
                token=str(profile.token),
                name=str(getattr(profile, "Name", "")),
                has_vsc=vsc is not None,
                encoder=Media2Encoder.of(vec) if vec is not None else None,
                vsc_token=str(vsc.token) if vsc is not None else None,
            )
        )
    return views


def video_profiles(profiles: list[Media2Profile]) -> list[Media2Profile]:
    """The profiles a client could stream video from (they have an encoder)."""
    return [p for p in profiles if p.encoder is not None]


def check_media2_profiles(profiles: list[Media2Profile]) -> list[str]:
    """MEDIA2-PROF-01: Profile T needs a ready-to-use profile with a video source and an H.264
    or H.265 encoder; without one a client has nothing it can stream without configuring."""
    if not profiles:
        return ["Media2 GetProfiles returned no profile"]
    for profile in profiles:
        if profile.has_vsc and profile.encoder and profile.encoder.encoding in VIDEO_CODECS:
            return []
    described = "; ".join(
        f"{p.token}: video source {'yes' if p.has_vsc else 'missing'}, encoder "
        f"{p.encoder.encoding if p.encoder else 'missing'}"
        for p in profiles
    )
    return [
        "no Media2 profile has both a VideoSource and an H.264 or H.265 VideoEncoder "
        f"configuration ({described})"
    ]


def ready_profile(profiles: list[Media2Profile]) -> Media2Profile | None:
    """The first profile ready to stream video: a video source and an H.264/H.265 encoder."""
    for profile in profiles:
        if profile.has_vsc and profile.encoder and profile.encoder.encoding in VIDEO_CODECS:
            return profile
    return None


def check_ready_profile_streams(
    profile: Media2Profile,
    listed_sources: list[str],
    listed_encoders: list[str],
    decoded_frames: int,
    error: str | None,
) -> list[str]:
    """MEDIA2-PROF-01: the ready profile holds configurations the device lists (it is made
    of real configurations, not placeholders) and streams video a client can decode, with no
    configuration (MEDIA2-1-1-1: GetStreamUri, DESCRIBE, SETUP, PLAY, TEARDOWN)."""
    problems = []
    name = f"ready profile {profile.token}"
    if profile.vsc_token not in listed_sources:
        problems.append(
            f"{name}: video source configuration {profile.vsc_token} is not among those "
            f"GetVideoSourceConfigurations lists [{', '.join(listed_sources)}]"
        )
    encoder = profile.encoder.token if profile.encoder else None
    if encoder not in listed_encoders:
        problems.append(
            f"{name}: video encoder configuration {encoder} is not among those "
            f"GetVideoEncoderConfigurations lists [{', '.join(listed_encoders)}]"
        )
    if error:
        problems.append(f"{name}: its stream could not be played: {error}")
    elif decoded_frames <= 0:
        problems.append(f"{name}: its stream delivered no decodable video frame")
    return problems


def check_media2_uris(
    stream_uris: dict[str, str], snapshot_uris: dict[str, str], device_host: str
) -> list[str]:
    """MEDIA2-URI-01: every profile's RTSP and snapshot URI must be usable by a client that
    reached the device at ``device_host`` (host, scheme, ≤ 128 octets), as in Media1 (Q10)."""
    if not stream_uris:
        return ["no Media2 video profile to ask GetStreamUri for"]
    problems = []
    for token, uri in stream_uris.items():
        problems += check_uri(f"{token} stream", uri, device_host, ("rtsp",))
    for token, uri in snapshot_uris.items():
        problems += check_uri(f"{token} snapshot", uri, device_host, ("http", "https"))
    return problems


def check_snapshot_served(token: str, status: int, content_type: str, decodable: bool) -> list[str]:
    """MEDIA2-URI-01: a snapshot URI is only useful if it serves a JPEG (MEDIA2-5-1-1)."""
    if status != 200:
        return [f"{token} snapshot GET answered HTTP {status}"]
    problems = []
    if content_type.split(";")[0].strip().lower() != "image/jpeg":
        problems.append(f"{token} snapshot Content-Type is {content_type!r}, not image/jpeg")
    if not decodable:
        problems.append(f"{token} snapshot body is not a decodable JPEG")
    return problems


def check_encoder_within_options(encoder: Media2Encoder, options: list[Media2Options]) -> list[str]:
    """MEDIA2-ENC-01: a configuration outside the device's own options cannot be written back
    by a client (SetVideoEncoderConfiguration with the values read would be refused), and says
    the device reports something other than what it can do (MEDIA2-2-3-2/-3)."""
    name = f"encoder {encoder.token} ({encoder.encoding})"
    matching = [o for o in options if o.encoding == encoder.encoding]
    if not matching:
        offered = ", ".join(o.encoding for o in options) or "none"
        return [f"{name}: GetVideoEncoderConfigurationOptions offers no {encoder.encoding} "
                f"options (offered: {offered})"]  # fmt: skip
    option = matching[0]
    problems = []
    size = (encoder.width, encoder.height)
    if option.resolutions and size not in option.resolutions:
        sizes = ", ".join(f"{w}x{h}" for w, h in option.resolutions)
        problems.append(f"resolution {size[0]}x{size[1]} not in ResolutionsAvailable [{sizes}]")
    fps = encoder.fps
    if (
        option.frame_rates
        and fps is not None
        and all(abs(fps - rate) >= 0.01 for rate in option.frame_rates)
    ):
        rates = ", ".join(f"{r:g}" for r in option.frame_rates)
        problems.append(f"frame rate limit {fps:g} not in FrameRatesSupported [{rates}]")
    if option.gov_range and encoder.gov_length is not None:
        low, high = option.gov_range
        if not low <= encoder.gov_length <= high:
            problems.append(f"GovLength {encoder.gov_length} outside GovLengthRange {low}-{high}")
    if option.profiles and encoder.profile is not None and encoder.profile not in option.profiles:
        problems.append(f"Profile {encoder.profile} not in ProfilesSupported {option.profiles}")
    if option.quality_range and encoder.quality is not None:
        low_q, high_q = option.quality_range
        if not low_q <= encoder.quality <= high_q:
            problems.append(
                f"Quality {encoder.quality:g} outside QualityRange {low_q:g}-{high_q:g}"
            )
    return [f"{name}: {problem}" for problem in problems]
