"""RFC 7798 depacketisation: the suite's H265Depacketizer against the simulator's packetiser,
hand-made aggregation packets, and loss in the middle of a fragmented NAL."""

from __future__ import annotations

import struct

from conformance.clients.rtp_h265 import H265Depacketizer, hevc_nal_type
from conformance.clients.rtsp import RtpPacket
from fake_vms.media.sei import frame_counter_sei
from fake_vms.rtsp.packetizer import hevc_fragments, nal_payloads

VPS = bytes((32 << 1, 1)) + b"\x0c\x01\xff\xff"
IDR = bytes((19 << 1, 1)) + bytes(range(256)) * 20  # 5 kB: fragmented
TRAIL = bytes((1 << 1, 1)) + b"\xaa" * 100


def _packets(payloads: list[bytes], seq: int, ts: int) -> list[RtpPacket]:
    last = len(payloads) - 1
    return [RtpPacket(96, i == last, seq + i, ts, 1, p) for i, p in enumerate(payloads)]


def test_fragmented_idr_is_reassembled_with_its_counter() -> None:
    sei = frame_counter_sei(41, 1_700_000_000_000_000, "H265")
    payloads = [sei, VPS, *nal_payloads(IDR, 1400, codec="H265")]
    assert len(payloads) > 4  # the IDR really was cut into FUs
    depacketizer = H265Depacketizer()
    units = []
    for packet in _packets(payloads, 100, 9000):
        units += depacketizer.push(packet, 0.0)
    assert len(units) == 1
    au = units[0]
    assert au.nals == [sei, VPS, IDR]
    assert au.keyframe and au.frame_counter == 41
    assert depacketizer.malformed == depacketizer.unsupported == 0


def test_fu_header_carries_type_and_layer_bits() -> None:
    fragments = hevc_fragments(IDR, 1400)
    assert all(hevc_nal_type(f) == 49 for f in fragments)
    assert fragments[0][2] == 0x80 | 19 and fragments[-1][2] == 0x40 | 19
    assert all(f[1] == IDR[1] for f in fragments)  # LayerId/TID copied


def test_aggregation_packet_yields_each_nal() -> None:
    ap = bytes((48 << 1, 1)) + b"".join(struct.pack("!H", len(n)) + n for n in (VPS, TRAIL))
    depacketizer = H265Depacketizer()
    units = depacketizer.push(RtpPacket(96, True, 1, 0, 1, ap), 0.0)
    assert units[0].nals == [VPS, TRAIL]
    assert not units[0].keyframe


def test_loss_inside_a_fragment_drops_that_nal_only() -> None:
    payloads = nal_payloads(IDR, 1400, codec="H265")
    packets = _packets(payloads, 10, 0)
    del packets[1]  # lose a middle fragment
    depacketizer = H265Depacketizer()
    units = []
    for packet in packets:
        units += depacketizer.push(packet, 0.0)
    units += depacketizer.push(RtpPacket(96, True, 10 + len(payloads), 3600, 1, TRAIL), 0.1)
    assert depacketizer.lost == 1 and depacketizer.dropped_fragments == 1
    assert [au.nals for au in units] == [[TRAIL]]


def test_truncated_and_paci_payloads_are_counted() -> None:
    depacketizer = H265Depacketizer()
    depacketizer.push(RtpPacket(96, False, 1, 0, 1, b"\x02"), 0.0)
    depacketizer.push(RtpPacket(96, True, 2, 0, 1, bytes((50 << 1, 1, 0, 0))), 0.0)
    assert depacketizer.malformed == 1 and depacketizer.unsupported == 1
