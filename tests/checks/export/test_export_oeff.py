"""ONVIF Export File Format checks on hand-built files (box layout per ExportFileFormat.xml
v2.1 and DTT EXPORT_FORMAT-1-1-1): a conformant file and one bad file per rule."""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from conformance.checks.export_oeff import check_oeff, parse_suep, walk


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def full(kind: bytes, payload: bytes, version: int = 0) -> bytes:
    return box(kind, bytes([version, 0, 0, 0]) + payload)


def _cert(bits: int) -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test exporter")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256())
    )  # fmt: skip
    return key, cert.public_bytes(serialization.Encoding.DER)


def build(
    bits: int = 2048,
    suep: bool = True,
    tfdt: bool = True,
    scheme: bytes = b"oeff",
    tamper: bool = False,
) -> bytes:
    key, cert = _cert(bits)
    hdlr = full(b"hdlr", b"\x00" * 4 + b"vide" + b"\x00" * 12 + b"video\x00")
    moov = box(b"moov", box(b"trak", box(b"mdia", hdlr)))
    traf = box(b"traf", full(b"tfhd", struct.pack(">I", 1)) + (
        full(b"tfdt", struct.pack(">Q", 0), 1) if tfdt else b""))  # fmt: skip
    moof = box(b"moof", traf)
    mdat = box(b"mdat", b"\x00\x00\x00\x02\x65\x88" * 10)
    suep_box = full(
        b"suep",
        b"VMS 1\x00http://vms.example/\x0008-00-27-00-0C-15\x00"
        + struct.pack(">Q", 3_000_000_000) + b"PC 1234\x00" + struct.pack(">H", 0),
        1,
    )  # fmt: skip
    schm = full(b"schm", scheme + struct.pack(">I", 0x00010000))
    sibo_len = bits // 8
    schi = box(b"schi", box(b"sibo", bytes(sibo_len)) + box(b"cert", cert))
    ipro = full(b"ipro", struct.pack(">H", 1) + box(b"sinf", schm + schi))
    meta_hdlr = full(b"hdlr", b"\x00" * 4 + b"meta" + b"\x00" * 12 + b"\x00")
    meta = full(b"meta", meta_hdlr + (suep_box if suep else b"") + ipro)
    data = box(b"ftyp", b"isom\x00\x00\x02\x00isom") + moov + moof + mdat + meta
    signature = key.sign(
        data, padding.PSS(padding.MGF1(hashes.SHA256()), 20), hashes.SHA256()
    )  # signed with the sibo bytes zero, as the spec requires
    sibo_at = data.index(b"sibo") + 4
    data = data[:sibo_at] + signature + data[sibo_at + sibo_len :]
    if tamper:
        at = data.index(b"mdat") + 10
        data = data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]
    return data


def test_conformant_file_passes_and_suep_parses():
    data = build()
    assert check_oeff(data) == []
    meta = [b for b in walk(data) if b.type == "meta"][0]
    fields = parse_suep(data, meta.find("suep")[0])
    assert fields["ExportUnitMAC"] == "08-00-27-00-0C-15" and fields["ExportOperator"] == "PC 1234"


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({"suep": False}, "0 suep boxes"),
        ({"tfdt": False}, "0 tfdt boxes"),
        ({"scheme": b"cenc"}, "no sinf with the ONVIF scheme"),
        ({"tamper": True}, "does not verify"),
        ({"bits": 1024}, "at least 2048 required"),
    ],
)
def test_each_rule_is_checked(kwargs, expected):
    problems = check_oeff(build(**kwargs))
    assert any(expected in p for p in problems), problems


def test_plain_mp4_is_not_oeff():
    problems = check_oeff(box(b"ftyp", b"isom\x00\x00\x02\x00") + box(b"mdat", b""))
    assert "no moov/trak" in problems[0]
    assert check_oeff(b"\x00\x00\x01\x00moov") == [
        "not an ISO BMFF file: box b'moov' at 0 overruns its container"
    ]
