"""What the Profile G services share: the camera's recording, time formats, track description.

Each camera records into one recording with one video track; the services only ever expose the
camera's own recording from the host's store.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from lxml import etree

from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.soap import sub
from fake_vms.recording.recorder import VIDEO_TRACK, recording_token
from fake_vms.recording.store import Recording, RecordingStore

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def utc_text(moment: datetime) -> str:
    """xs:dateTime in UTC with microseconds and the Z designator (recorded times are exact)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str | None) -> datetime | None:
    """An xs:dateTime (a zone-less one is read as UTC); None when absent or invalid."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_duration(text: str | None) -> float | None:
    """Seconds of an xs:duration without years or months, else None."""
    if not text:
        return None
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def seconds_duration(seconds: float) -> str:
    """xs:duration of whole or fractional seconds (``PT60S``)."""
    return f"PT{seconds:g}S"


class CameraRecording:
    """The camera's recording in the host's store (absent until the first access unit)."""

    def __init__(self, context: ServiceContext) -> None:
        self.camera = context.camera
        # None when the server runs without a host (tests of one service): nothing recorded yet.
        self.store: RecordingStore | None = context.shared.get("recordings")
        self.token = recording_token(context.camera)
        self.device_url = context.xaddr("/onvif/device_service")

    def current(self) -> Recording | None:
        if self.store is None:
            return None
        try:
            return self.store.recording(self.token)
        except KeyError:
            return None

    def source(self, parent: etree._Element, tag: str) -> None:
        """tt:RecordingSourceInformation of the camera's own video source."""
        source = sub(parent, tag)
        sub(source, "tt:SourceId", self.device_url)
        sub(source, "tt:Name", self.camera.name)
        sub(source, "tt:Location", self.camera.site or "unknown")
        sub(source, "tt:Description", f"{self.camera.model} video source")
        sub(source, "tt:Address", self.device_url)

    def shifted(self, moment: datetime) -> str:
        """A RecordingInformation/MediaAttributes time as this camera writes it."""
        return utc_text(moment + timedelta(seconds=self.camera.knobs.search_info_time_offset_s))

    def track_information(self, parent: etree._Element, tag: str, recording: Recording) -> None:
        track = sub(parent, tag)
        sub(track, "tt:TrackToken", VIDEO_TRACK)
        sub(track, "tt:TrackType", "Video")
        sub(track, "tt:Description", "video")
        sub(track, "tt:DataFrom", self.shifted(recording.start_utc))
        sub(track, "tt:DataTo", self.shifted(recording.end_utc))

    def information(self, parent: etree._Element, tag: str, recording: Recording) -> None:
        """tt:RecordingInformation of the recording as it is now."""
        info = sub(parent, tag)
        sub(info, "tt:RecordingToken", recording.token)
        self.source(info, "tt:Source")
        sub(info, "tt:EarliestRecording", self.shifted(recording.start_utc))
        sub(info, "tt:LatestRecording", self.shifted(recording.end_utc))
        sub(info, "tt:Content", "continuous recording")
        self.track_information(info, "tt:Track", recording)
        sub(info, "tt:RecordingStatus", "Recording")
