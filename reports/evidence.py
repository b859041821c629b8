"""Evidence as the reports show it: the SHA-256 manifest and small embedded thumbnails.

The compliance statement must still show its pictures when it is e-mailed alone, so decoded
frames are embedded as small data: URIs (scaled down with FFmpeg through PyAV, which the suite
already needs). The manifest re-hashes every file on disk: a file changed after the run shows up
as a mismatch against the hash recorded at capture time.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

THUMB_WIDTH = 240
# Embed the original when scaling fails, but only if it is small: the page must stay light.
MAX_EMBED_BYTES = 150_000


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(results: dict[str, Any], folder: Path | None) -> list[dict[str, Any]]:
    """Every artifact once: path, recorded hash, hash now, size, and whether they agree.

    ``status`` is ``ok`` (matches), ``changed`` (differs from the hash recorded at capture),
    ``missing`` (listed but not in the folder) or ``unchecked`` (no folder given).
    """
    seen: dict[str, dict[str, Any]] = {}
    for device in results.get("devices", []):
        for row in device.get("requirements", []):
            for f in row.get("evidence", []):
                entry = seen.setdefault(
                    f["path"],
                    {"path": f["path"], "recorded": f.get("sha256", ""), "used_by": []},
                )
                entry["used_by"].append(f"{device['name']}/{row['id']}")
    entries = []
    for entry in seen.values():
        path = _inside(folder, entry["path"]) if folder else None
        if folder is None:
            entry.update(actual="", size=None, status="unchecked")
        elif path is None or not path.is_file():
            entry.update(actual="", size=None, status="missing")
        else:
            actual = sha256_of(path)
            entry.update(
                actual=actual,
                size=path.stat().st_size,
                status="ok" if actual == entry["recorded"] else "changed",
            )
        entries.append(entry)
    return sorted(entries, key=lambda x: x["path"])


def _inside(folder: Path | None, relative: str) -> Path | None:
    """The file a results.json path names, refused if it points outside the results folder."""
    if folder is None:
        return None
    root = folder.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) else None


def read_json_evidence(folder: Path | None, relative: str) -> dict[str, Any] | None:
    path = _inside(folder, relative)
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def thumbnail_data_uri(folder: Path | None, relative: str) -> str | None:
    """A small PNG data: URI of an evidence image, or None when it cannot be read."""
    path = _inside(folder, relative)
    if path is None or not path.is_file():
        return None
    data = _scaled_png(path)
    if data is None:
        raw = path.read_bytes()
        if len(raw) > MAX_EMBED_BYTES or not raw.startswith(b"\x89PNG"):
            return None
        data = raw
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


_SCALED: dict[tuple[str, str], bytes | None] = {}
"""Thumbnails made so far, by file type and content: a run attaches the same picture to several
verdicts (the snapshot to SNAP-01 and SNAP-02, a stream's first frame to its transport and
format checks) and the statement shows each in more than one section."""
_SCALED_LIMIT = 4096


def _scaled_png(path: Path) -> bytes | None:
    """The picture at ``path`` scaled to :data:`THUMB_WIDTH` as PNG (None if it cannot be
    decoded), made once per distinct file content."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    key = (path.suffix.lower(), hashlib.sha256(data).hexdigest())
    if key not in _SCALED:
        if len(_SCALED) >= _SCALED_LIMIT:
            _SCALED.clear()
        _SCALED[key] = _scale_png(path, data)
    return _SCALED[key]


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _still_png(data: bytes) -> bool:
    """A PNG that is not animated (no acTL chunk before its image data): what probing the file
    finds to be FFmpeg's png_pipe format, one picture decoded by the png decoder."""
    if not data.startswith(_PNG_SIGNATURE):
        return False
    first_image = data.find(b"IDAT")
    return first_image > 0 and data.find(b"acTL", 0, first_image) < 0


def _first_frame(path: Path, data: bytes) -> Any:
    """The file's first picture. A still PNG (every picture the suite attaches) goes straight to
    FFmpeg's png decoder as one packet, as the png_pipe demuxer would hand it over; opening the
    file probes the format and decodes the picture once more to find the stream's parameters."""
    import av

    if _still_png(data):
        frames = av.CodecContext.create("png", "r").decode(av.Packet(data))
        if frames:
            return frames[0]
    with av.open(str(path)) as container:
        return next(container.decode(video=0))


def _scale_png(path: Path, data: bytes) -> bytes | None:
    try:
        from conformance.clients.png import encode_png

        frame = _first_frame(path, data)
        height = max(2, round(frame.height * THUMB_WIDTH / frame.width / 2) * 2)
        small = frame.reformat(width=THUMB_WIDTH, height=height, format="rgb24")
        return encode_png(small, compression_level=None) or None
    except Exception:  # noqa: BLE001 - any decoder trouble means "no thumbnail", never a crash
        return None
