"""HTTP snapshot client: fetch a JPEG with Digest credentials, bounded in time and size; and
the live comparison: greyscale thumbnails of the snapshot and of the live stream's frames."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.auth import HTTPDigestAuth

MAX_SNAPSHOT_BYTES = 20 * 1024 * 1024


class SnapshotError(Exception):
    """The snapshot could not be fetched (unreachable, timeout, oversized)."""


class SnapshotUnreachable(SnapshotError):
    pass


@dataclass
class Snapshot:
    status: int
    content_type: str
    body: bytes
    www_authenticate: str


def fetch_snapshot(
    url: str, username: str | None, password: str | None, *, timeout: float
) -> Snapshot:
    auth = HTTPDigestAuth(username, password) if username and password else None
    try:
        with requests.get(
            url, auth=auth, timeout=(timeout, timeout), stream=True, allow_redirects=False
        ) as resp:
            body = bytearray()
            for chunk in resp.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_SNAPSHOT_BYTES:
                    raise SnapshotError(f"snapshot larger than {MAX_SNAPSHOT_BYTES} bytes")
            return Snapshot(
                resp.status_code,
                resp.headers.get("Content-Type", ""),
                bytes(body),
                resp.headers.get("WWW-Authenticate", ""),
            )
    except requests.Timeout as exc:
        raise SnapshotUnreachable(f"snapshot request timed out after {timeout} s") from exc
    except requests.ConnectionError as exc:
        raise SnapshotUnreachable(f"snapshot URL unreachable: {type(exc).__name__}") from exc


def decode_jpeg_frame(data: bytes) -> Any | None:
    """The JPEG's picture as an ``av.VideoFrame``; None unless it starts with SOI and decodes."""
    import av

    if not data.startswith(b"\xff\xd8"):
        return None
    try:
        with av.open(io.BytesIO(data), format="image2pipe", options={"vcodec": "mjpeg"}) as src:
            return next(src.decode(video=0))
    except (av.error.FFmpegError, StopIteration, ValueError):
        return None


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The JPEG's width and height once decoded by FFmpeg, or None if it does not decode."""
    frame = decode_jpeg_frame(data)
    return None if frame is None else (frame.width, frame.height)


THUMBNAIL = (64, 36)
"""Width and height of the greyscale thumbnails a snapshot and live frames are compared at:
small enough that sensor noise, JPEG artefacts and a frame or two of motion average out, large
enough that a different picture (a placeholder, a frozen or foreign image) does not."""


def thumbnail(frame: Any) -> Any:
    """An ``av.VideoFrame`` as a 64x36 greyscale ``numpy`` array (any input size, squashed to
    16:9, so a snapshot of another resolution compares with the stream frame for frame)."""
    width, height = THUMBNAIL
    return frame.reformat(width=width, height=height, format="gray").to_ndarray()[:, :width]


def mean_abs_diff(a: Any, b: Any) -> float:
    """Mean absolute difference of two thumbnails, in grey levels (0-255)."""
    import numpy as np

    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


class SnapshotPicture:
    """A snapshot's JPEG decoded: what the checks use of the picture (the evidence is the JPEG
    as the device sent it).

    Its thumbnail is made once, from the decoded frame, which is not kept (the device's cache
    holds this for the rest of the run); if making it failed, reading it raises that error,
    where the check reads it."""

    def __init__(self, frame: Any) -> None:
        self.width: int = frame.width
        self.height: int = frame.height
        self._thumbnail = _outcome(lambda: thumbnail(frame))

    @property
    def thumbnail(self) -> Any:
        """Its greyscale thumbnail (:func:`thumbnail`), compared with the live frames."""
        return _result(self._thumbnail)


def _outcome(make: Any) -> tuple[Any, Exception | None]:
    try:
        return make(), None
    except Exception as exc:  # noqa: BLE001 - raised again where the value is read
        return None, exc


def _result(outcome: tuple[Any, Exception | None]) -> Any:
    value, error = outcome
    if error is not None:
        raise error
    return value


@dataclass
class LiveSnapshot:
    """A snapshot taken while the live stream was being captured, and that capture."""

    snapshot: Snapshot | None = None
    capture: Any | None = None
    transport: str = ""
    taken_after_s: float | None = None
    errors: list[str] = field(default_factory=list)
    _picture: list[SnapshotPicture | None] = field(default_factory=list, repr=False)

    def picture(self) -> SnapshotPicture | None:
        """The snapshot decoded, once for every check that judges it (SNAP-01, SNAP-02): None
        unless it was answered with HTTP 200 and its body decodes as a JPEG."""
        if not self._picture:
            snap = self.snapshot
            frame = decode_jpeg_frame(snap.body) if snap and snap.status == 200 else None
            self._picture.append(None if frame is None else SnapshotPicture(frame))
        return self._picture[0]


def snapshot_during_capture(
    snapshot_url: str,
    stream_url: str,
    username: str | None,
    password: str | None,
    *,
    window_s: float,
    snapshot_at_s: float,
    timeout: float,
) -> LiveSnapshot:
    """Capture the live stream for ``window_s`` and fetch the snapshot ``snapshot_at_s`` into
    it, so that the capture holds frames from before and after the snapshot (a camera's stream
    may lag its snapshots by the encoder's latency). RTP over TCP, else UDP."""
    from conformance.clients.rtsp import RtspError, capture

    result = LiveSnapshot()
    started = threading.Event()

    def run() -> None:
        for transport in ("tcp", "udp"):
            try:
                started.set()
                result.capture = capture(
                    stream_url,
                    username,
                    password,
                    transport=transport,  # type: ignore[arg-type]
                    duration=window_s,
                    timeout=timeout,
                )
                result.transport = transport
                return
            except RtspError as exc:
                result.errors.append(f"{transport}: {exc}")
            except Exception as exc:  # noqa: BLE001 - reported, the snapshot still judged
                result.errors.append(f"{transport}: {type(exc).__name__}: {exc}")
                return

    worker = threading.Thread(target=run, name="snapshot-live-capture", daemon=True)
    began = time.monotonic()
    worker.start()
    started.wait(timeout)
    time.sleep(snapshot_at_s)
    try:
        result.snapshot = fetch_snapshot(snapshot_url, username, password, timeout=timeout)
        result.taken_after_s = time.monotonic() - began
    finally:
        worker.join(window_s + 4 * timeout)
    return result


def live_thumbnails(capture: Any, limit: int = 200) -> list[Any]:
    """Greyscale thumbnails of the frames decoded from a capture (in order, at most ``limit``)."""
    import av

    from conformance.clients.stream import _FFMPEG_DECODERS, START_CODE, _parameter_sets

    decoder = _FFMPEG_DECODERS.get(capture.codec)
    if decoder is None:
        return []
    codec = av.CodecContext.create(decoder, "r")
    prefix = _parameter_sets(capture.sdp_fmtp, _Sink())
    thumbs: list[Any] = []
    for au in capture.access_units:
        data = prefix + b"".join(START_CODE + nal for nal in au.nals)
        prefix = b""
        try:
            frames = codec.decode(av.Packet(data))
        except av.FFmpegError:
            continue
        thumbs += [thumbnail(f) for f in frames]
        if len(thumbs) >= limit:
            break
    with contextlib.suppress(av.FFmpegError):
        thumbs += [thumbnail(f) for f in codec.decode(None)]
    return thumbs[:limit]


class _Sink:
    """Stands in for the StreamStats that ``_parameter_sets`` writes its notes to."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.decode_errors: list[str] = []
