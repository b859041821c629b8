"""RTP depacketisation of H.265 (RFC 7798): single NAL unit, aggregation (AP) and FU packets.

It shares sequence tracking and access-unit assembly with the H.264 depacketiser (same RTP
rules: marker bit or timestamp change ends an access unit, a gap drops the fragment in flight)
and differs only in the payload formats and the two-byte NAL header. PACI packets (type 50)
are counted as unsupported; DONL fields (sprop-max-don-diff > 0) are not expected from cameras,
which send in decoding order.
"""

from __future__ import annotations

from collections.abc import Iterator

from conformance.clients.rtsp import H264Depacketizer, ReceivedAccessUnit
from conformance.clients.stream import parse_frame_counter

AP = 48
FU = 49
PREFIX_SEI = 39
IDR_TYPES = (19, 20)
"""IDR_W_RADL and IDR_N_LP; CRA (21) is a random-access point but not an IDR."""


def hevc_nal_type(nal: bytes) -> int:
    """The six-bit NAL unit type of an H.265 NAL header (ITU-T H.265 7.3.1.2)."""
    return (nal[0] >> 1) & 0x3F


class H265Depacketizer(H264Depacketizer):
    """Reassembles RFC 7798 payloads into access units (counters as in the H.264 one)."""

    def _nals_of(self, payload: bytes) -> Iterator[bytes]:
        if len(payload) < 3:
            self.malformed += 1
            return
        nal_type = hevc_nal_type(payload)
        if nal_type < AP:
            yield payload
        elif nal_type == AP:
            yield from self._aggregation(payload)
        elif nal_type == FU:
            nal = self._fragment(payload)
            if nal is not None:
                yield nal
        else:
            self.unsupported += 1

    def _aggregation(self, payload: bytes) -> Iterator[bytes]:
        return self._aggregated(payload, header_size=2, min_nal_size=2)

    def _fragment(self, payload: bytes) -> bytes | None:
        if len(payload) < 4:
            self.malformed += 1
            return None
        fu_header = payload[2]
        start, end = bool(fu_header & 0x80), bool(fu_header & 0x40)
        if start:
            if self._fu is not None:
                self.dropped_fragments += 1
            header0 = (payload[0] & 0x81) | ((fu_header & 0x3F) << 1)
            self._fu = bytearray((header0, payload[1]))
        elif self._fu is None:
            return None  # continuation of a NAL whose start was lost or never seen
        self._fu += payload[3:]
        if not end:
            return None
        nal, self._fu = bytes(self._fu), None
        return nal

    def _finish(self) -> ReceivedAccessUnit:
        assert self._au is not None
        au, self._au = self._au, None
        counter, capture_us = None, None
        for nal in au.nals:
            if hevc_nal_type(nal) == PREFIX_SEI:
                found = parse_frame_counter(nal, "H265")
                if found is not None:
                    counter, capture_us = found
                    break
        return ReceivedAccessUnit(
            rtp_timestamp=au.timestamp,
            arrival=au.arrival,
            nals=au.nals,
            keyframe=any(hevc_nal_type(nal) in IDR_TYPES for nal in au.nals),
            frame_counter=counter,
            capture_time_us=capture_us,
            first_seq=au.first_seq,
            last_seq=au.last_seq,
        )
