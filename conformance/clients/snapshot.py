"""HTTP snapshot client: fetch a JPEG with Digest credentials, bounded in time and size."""

from __future__ import annotations

import io
from dataclasses import dataclass

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


def decode_jpeg(data: bytes) -> tuple[tuple[int, int], bytes] | None:
    """Decode a JPEG with FFmpeg; return its size and a PNG rendering, or None if undecodable."""
    import av

    if not data.startswith(b"\xff\xd8"):
        return None
    try:
        with av.open(io.BytesIO(data), format="image2pipe", options={"vcodec": "mjpeg"}) as src:
            frame = next(src.decode(video=0))
    except (av.error.FFmpegError, StopIteration, ValueError):
        return None
    png = io.BytesIO()
    with av.open(png, "w", format="image2pipe") as out:
        stream = out.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "rgb24"
        for packet in stream.encode(frame.reformat(format="rgb24")):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return (frame.width, frame.height), png.getvalue()
