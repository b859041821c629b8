"""ONVIF Export File Format (ExportFileFormat.xml v2.1): an ISO BMFF box walker and the checks
of DTT EXPORT_FORMAT-1-1-1, as pure functions over the file's bytes.

Why our own walker: the checks are about box structure (``suep`` exactly once in the file-level
``meta``, ``tfdt`` in every ``traf``, ``ipro``/``sinf``/``schm`` = 'oeff', ``schi`` with one
``sibo`` and one ``cert``) and about a signature over the file's own bytes with the signature
field zeroed, which no media library exposes. Not yet wired to a requirement: the simulated VMS
does not write this format (see docs/vms-adapters.md).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

OEFF_SCHEME = 0x6F656666  # "oeff"
OEFF_VERSION = 0x00010000
PSS_SALT_LENGTH = 20
MIN_RSA_BITS = 2048

# Boxes whose payload is child boxes, and how many bytes precede the children.
_CONTAINERS = {
    b"moov": 0, b"trak": 0, b"mdia": 0, b"minf": 0, b"stbl": 0, b"moof": 0, b"traf": 0,
    b"udta": 0, b"mvex": 0, b"dinf": 0, b"edts": 0, b"mfra": 0, b"sinf": 0, b"schi": 0,
    b"meta": 4, b"ipro": 6,
}  # fmt: skip


@dataclass
class Box:
    type: str
    start: int
    """Offset of the box header in the file."""
    payload: int
    """Offset of the box payload (after size, type and any large size)."""
    end: int
    children: list[Box] = field(default_factory=list)

    def find(self, kind: str) -> list[Box]:
        return [c for c in self.children if c.type == kind]


def walk(data: bytes, start: int = 0, end: int | None = None, depth: int = 0) -> list[Box]:
    """Boxes in ``data[start:end]``; raises ValueError on a box that overruns its parent."""
    end = len(data) if end is None else end
    boxes: list[Box] = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError(f"box {kind!r} at {pos} overruns its container")
        box = Box(kind.decode("latin-1"), pos, pos + header, pos + size)
        skip = _CONTAINERS.get(kind)
        if skip is not None and depth < 16:
            box.children = walk(data, box.payload + skip, box.end, depth + 1)
        boxes.append(box)
        pos += size
    return boxes


def _all(boxes: list[Box], kind: str) -> list[Box]:
    out = []
    for box in boxes:
        if box.type == kind:
            out.append(box)
        out.extend(_all(box.children, kind))
    return out


def parse_suep(data: bytes, box: Box) -> dict[str, object]:
    """ExportUnitName, ExportUnitURL, ExportUnitMAC, ExportUnitTime, ExportOperator."""
    pos = box.payload + 4  # FullBox version and flags
    fields: dict[str, object] = {}

    def string() -> str:
        nonlocal pos
        nul = data.index(b"\x00", pos, box.end)
        value = data[pos:nul].decode("utf-8")
        pos = nul + 1
        return value

    fields["ExportUnitName"] = string()
    fields["ExportUnitURL"] = string()
    fields["ExportUnitMAC"] = string()
    (fields["ExportUnitTime"],) = struct.unpack(">Q", data[pos : pos + 8])
    pos += 8
    fields["ExportOperator"] = string()
    return fields


def _handler(data: bytes, hdlr: Box) -> bytes:
    return data[hdlr.payload + 8 : hdlr.payload + 12]  # FullBox header, pre_defined, type


def verify_oeff_signature(data: bytes, sinf: Box) -> list[str]:
    """RSASSA-PSS / SHA-256 / MGF1-SHA-256 / salt 20 over the file with the signature zeroed,
    verified with the ``cert`` of the same ``sinf`` (modulus at least 2048 bits)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    schi = sinf.find("schi")[0]
    sibo, cert = schi.find("sibo")[0], schi.find("cert")[0]
    signature = data[sibo.payload : sibo.end]
    try:
        key = x509.load_der_x509_certificate(data[cert.payload : cert.end]).public_key()
    except ValueError as exc:
        return [f"cert box is not a DER certificate: {exc}"]
    if not isinstance(key, rsa.RSAPublicKey):
        return [f"certificate key is {type(key).__name__}, not RSA"]
    problems = []
    if key.key_size < MIN_RSA_BITS:
        problems.append(f"RSA modulus {key.key_size} bits, at least {MIN_RSA_BITS} required")
    zeroed = data[: sibo.payload] + bytes(len(signature)) + data[sibo.end :]
    try:
        key.verify(
            signature, zeroed, padding.PSS(padding.MGF1(hashes.SHA256()), PSS_SALT_LENGTH),
            hashes.SHA256(),
        )  # fmt: skip
    except InvalidSignature:
        problems.append("the RSASSA-PSS signature does not verify over the file")
    return problems


def check_oeff(data: bytes) -> list[str]:
    """The structure and signature checks of DTT EXPORT_FORMAT-1-1-1 (one signature)."""
    try:
        top = walk(data)
    except ValueError as exc:
        return [f"not an ISO BMFF file: {exc}"]
    problems: list[str] = []
    traks = [t for m in top if m.type == "moov" for t in m.find("trak")]
    if not traks:
        problems.append("no moov/trak")
    if not any(_handler(data, h) == b"vide" for t in traks for h in _all(t.children, "hdlr")):
        problems.append("no video track (hdlr 'vide')")
    metas = [b for b in top if b.type == "meta"]
    if len(metas) != 1:
        return problems + [f"{len(metas)} file-level meta boxes, exactly one required"]
    meta = metas[0]
    sueps = meta.find("suep")
    if len(sueps) != 1:
        problems.append(f"{len(sueps)} suep boxes in meta, exactly one required")
    else:
        try:
            fields = parse_suep(data, sueps[0])
            if not fields["ExportUnitName"]:
                problems.append("suep ExportUnitName is empty")
        except (ValueError, struct.error, UnicodeDecodeError) as exc:
            problems.append(f"suep is malformed: {exc}")
    for traf in _all(top, "traf"):
        if len(traf.find("tfdt")) != 1:
            problems.append(f"traf at {traf.start} has {len(traf.find('tfdt'))} tfdt boxes")
    ipros = meta.find("ipro")
    if len(ipros) != 1:
        return problems + [f"{len(ipros)} ipro boxes in meta, exactly one required"]
    (count,) = struct.unpack(">H", data[ipros[0].payload + 4 : ipros[0].payload + 6])
    if count != 1:
        problems.append(f"ipro protection_count {count}, must be 1")
    onvif = []
    for sinf in ipros[0].find("sinf"):
        schm, schi = sinf.find("schm"), sinf.find("schi")
        if len(schm) != 1 or len(schi) != 1:
            problems.append("sinf needs exactly one schm and one schi")
            continue
        scheme, version = struct.unpack(">II", data[schm[0].payload + 4 : schm[0].payload + 12])
        if scheme != OEFF_SCHEME:
            continue
        if version != OEFF_VERSION:
            problems.append(f"oeff scheme_version {version:#010x}, must be 0x00010000")
        if len(schi[0].find("sibo")) != 1 or len(schi[0].find("cert")) != 1:
            problems.append("schi needs exactly one sibo and one cert")
            continue
        onvif.append(sinf)
    if not onvif:
        return problems + ["no sinf with the ONVIF scheme 'oeff'"]
    return problems + verify_oeff_signature(data, onvif[-1])
