"""Play an exported file in the standard players a court, a lawyer or an analyst will use:
FFmpeg (``ffmpeg`` decoding every frame, ``ffprobe`` counting them) and GStreamer (``playbin``
through ``gst-launch-1.0`` to end of stream). Bounded (a timeout per run); output is kept short
for the evidence. Used by VMS-PLAY-01.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Playback:
    """One player on one file: did it decode to the end, how many frames, what it said."""

    player: str
    file: str
    ok: bool
    frames: int | None = None
    detail: str = ""


def missing_players() -> list[str]:
    """The players' commands that are not installed here (an environment gap, not a fault)."""
    return [c for c in ("ffmpeg", "ffprobe", "gst-launch-1.0") if shutil.which(c) is None]


def _run(cmd: list[str], timeout_s: float) -> tuple[int, str, str]:
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return -1, "", f"did not finish within {timeout_s:g} s"
    return done.returncode, done.stdout, done.stderr


def ffmpeg_playback(path: Path, timeout_s: float = 60.0) -> Playback:
    """Decode every video frame (no error output allowed) and count the decoded frames."""
    code, _out, err = _run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
        timeout_s,
    )
    count_code, out, count_err = _run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
        timeout_s,
    )  # fmt: skip
    try:
        frames = int(out.strip().splitlines()[0]) if count_code == 0 else None
    except (ValueError, IndexError):
        frames = None
    errors = (err.strip() or count_err.strip()).splitlines()
    # Decoder complaints about the content (a reference frame the recording lost) are
    # VMS-MEDIA-01's and VMS-EXPORT-01's; playing means opening it and decoding every frame.
    ok = code == 0 and count_code == 0 and bool(frames)
    detail = errors[0][:200] if errors else f"exit {code}" if code else ""
    return Playback("ffmpeg", path.name, ok, frames, detail)


def gstreamer_playback(path: Path, timeout_s: float = 60.0) -> Playback:
    """``playbin`` to end of stream with fake sinks (no clock sync: as fast as it decodes)."""
    code, out, err = _run(
        ["gst-launch-1.0", "-q", "playbin", f"uri={path.resolve().as_uri()}",
         "video-sink=fakesink sync=false", "audio-sink=fakesink sync=false"],
        timeout_s,
    )  # fmt: skip
    text = f"{out}\n{err}"
    errors = [line for line in text.splitlines() if "ERROR" in line]
    warnings = [line for line in text.splitlines() if "WARNING" in line]
    ok = code == 0 and not errors
    return Playback(
        "gstreamer playbin", path.name, ok, None, ((errors or warnings)[:1] or [""])[0][:200]
    )
