"""Read a recorded or exported media file (mp4, mkv, ...) into :class:`MediaFacts`.

Why demux instead of decode: lost frames (container timestamps), the frame rate and each
frame's coded picture (a digest of its VCL NAL units) come from packets alone, cheaply, for
minutes of footage. Containers like mp4 store length-prefixed NAL units (AVCC/HVCC). The
simulator's frame-counter SEI (docs/frame-counter.md) is read where present, as evidence and for
the first frame's capture time; no verdict needs it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import av

from conformance.checks.vms_ingest import MediaFacts
from conformance.clients.export_media import split_sample, vcl_digest
from conformance.clients.stream import parse_frame_counter

_CODECS = {"h264": "H264", "hevc": "H265", "h265": "H265"}


def _nal_units(data: bytes) -> list[bytes]:
    """Split a length-prefixed (AVCC/HVCC) packet; Annex B start codes are handled too."""
    return split_sample(data)


def read_media_facts(path: Path) -> MediaFacts:
    """Codec, size, frame count, duration, rate and frame counters of the first video stream."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        codec = _CODECS.get(stream.codec_context.name, stream.codec_context.name.upper())
        width, height = stream.codec_context.width, stream.codec_context.height
        tb = float(stream.time_base) if stream.time_base else 0.0
        counters: list[int] = []
        first_capture: int | None = None
        pts: list[int] = []
        digests: list[str] = []
        frames = 0
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            frames += 1
            if packet.pts is not None:
                pts.append(packet.pts)
            nals = _nal_units(bytes(packet))
            digests.append(vcl_digest(codec, nals))
            for nal in nals:
                found = parse_frame_counter(nal, codec) if codec in ("H264", "H265") else None
                if found:
                    counters.append(found[0])
                    if first_capture is None:
                        first_capture = found[1]
                    break
    pts.sort()
    span = (pts[-1] - pts[0]) * tb if len(pts) > 1 else 0.0
    fps = (len(pts) - 1) / span if span > 0 else 0.0
    duration = span + (1 / fps if fps else 0.0)
    return MediaFacts(
        codec=codec,
        width=width,
        height=height,
        frames=frames,
        duration_s=duration,
        fps=fps,
        counters=tuple(counters),
        first_capture_us=first_capture,
        sha256=digest,
        pts_s=tuple(p * tb for p in pts),
        vcl_digests=tuple(digests),
    )
