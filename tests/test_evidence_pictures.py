"""Pictures as evidence: a snapshot is kept exactly as the device sent it (a lab re-hashes and
decodes it with its own tools) unless it carries a known secret; decoded frames are PNG."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import numpy as np

from conformance.clients.png import encode_png
from conformance.evidence import Evidence
from conformance.redaction import Redactor
from reports.evidence import thumbnail_data_uri
from reports.matrix import images

SECRET = "s3cret-Passw0rd"


def _frame() -> av.VideoFrame:
    rng = np.random.default_rng(7)  # sensor-like noise: what deflate cannot shrink
    return av.VideoFrame.from_ndarray(
        rng.integers(0, 256, (72, 128, 3), dtype=np.uint8), format="rgb24"
    )


def _jpeg(comment: bytes = b"") -> bytes:
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 128, 72, "yuvj420p"
    frame = _frame().reformat(format="yuvj420p")
    data = b"".join(bytes(p) for p in encoder.encode(frame) + encoder.encode(None))
    if comment:  # a COM segment right after SOI, as a camera's firmware may write one
        data = data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]
    return data


def _evidence(tmp_path: Path) -> Evidence:
    return Evidence(tmp_path, "cam-1", "ONVIF-MEDIA-SNAP-01", Redactor([SECRET]))


def test_a_snapshot_is_kept_byte_for_byte_and_shown_as_a_thumbnail(tmp_path: Path) -> None:
    jpeg = _jpeg(b"Exif-like note, nothing secret")
    evidence = _evidence(tmp_path)
    evidence.attach_jpeg("snapshot", jpeg)
    [kept] = evidence.files
    assert kept.media_type == "image/jpeg" and kept.path.endswith(".jpg")
    assert (tmp_path / kept.path).read_bytes() == jpeg
    assert kept.sha256 == hashlib.sha256(jpeg).hexdigest()
    row = {"evidence": [kept.to_dict()]}
    assert thumbnail_data_uri(tmp_path, kept.path).startswith("data:image/png;base64,")
    assert "picture as the device sent it" in images(row, tmp_path)


def test_a_snapshot_carrying_a_secret_is_withheld_with_a_note(tmp_path: Path) -> None:
    evidence = _evidence(tmp_path)
    evidence.attach_jpeg("snapshot", _jpeg(f"user=admin;password={SECRET}".encode()))
    assert evidence.files == []
    assert not list(tmp_path.rglob("*.jpg"))
    assert any("not attached" in note and "credential" in note for note in evidence.notes)
    assert all(SECRET not in note for note in evidence.notes)


def test_png_evidence_decodes_to_the_same_pixels(tmp_path: Path) -> None:
    frame = _frame()
    png = encode_png(frame)
    assert png.startswith(b"\x89PNG")
    decoded = next(iter(av.CodecContext.create("png", "r").decode(av.Packet(png))))
    assert np.array_equal(decoded.to_ndarray(), frame.to_ndarray())  # lossless at level 1


def test_exchanges_name_soap_operations_and_rtsp_methods_only(tmp_path: Path) -> None:
    """results.json's ``operations`` name what ONVIF coverage counts: SOAP operations (also
    qualified by service) and RTSP methods; an RTSP-over-HTTP tunnel's opening GET and POST
    are HTTP, not operations."""
    from conformance.clients.onvif import Exchange as SoapExchange
    from conformance.clients.rtsp import Exchange as RtspExchange

    def rtsp(method: str) -> RtspExchange:
        return RtspExchange(method, "rtsp://127.0.0.1/s", f"{method} x", "200 OK", 200, "OK", [], 0)

    soap = SoapExchange(
        "media", "GetProfiles", "http://127.0.0.1/m", "<e/>", 200, {}, "<e/>", 0, None
    )
    evidence = _evidence(tmp_path)
    evidence.attach_exchanges("transcript", [soap, rtsp("GET"), rtsp("POST"), rtsp("DESCRIBE")])
    assert evidence.operations == ["GetProfiles", "media:GetProfiles", "DESCRIBE"]
