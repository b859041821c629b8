"""TLS probe: which protocol versions a port accepts, and what its certificate says.

One bounded handshake per version (TLS 1.0 to 1.3), each pinned to exactly that version, with
certificate verification off (cameras carry self-signed certificates; the details are recorded,
not trusted). Legacy versions need OpenSSL's security level 0 to be offered at all; where this
host's OpenSSL cannot offer a version, that version is reported as ``None`` (not probed), never as
refused.
"""

from __future__ import annotations

import socket
import ssl
import warnings
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

VERSIONS = {
    "TLSv1": "TLSv1",
    "TLSv1.1": "TLSv1_1",
    "TLSv1.2": "TLSv1_2",
    "TLSv1.3": "TLSv1_3",
}


class TlsUnreachable(ConnectionError):
    """Nothing accepted a TCP connection on the port (no TLS listener at all)."""


def _context(version: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    pinned = getattr(ssl.TLSVersion, VERSIONS[version])
    with warnings.catch_warnings():  # probing deprecated versions is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = pinned
        context.maximum_version = pinned
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def handshake(host: str, port: int, version: str, timeout: float) -> tuple[bool, bytes | None]:
    """Try one handshake pinned to ``version``; (accepted, DER certificate)."""
    try:
        context = _context(version)
    except (ValueError, ssl.SSLError):
        raise NotImplementedError(version) from None
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise TlsUnreachable(f"{host}:{port}: {exc}") from exc
    try:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return True, tls.getpeercert(binary_form=True)
    except (ssl.SSLError, OSError):
        return False, None
    finally:
        raw.close()


def certificate_details(der: bytes) -> dict[str, Any]:
    """Subject, issuer, validity, key type and size, signature algorithm, self-signed or not."""
    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_type, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, bits = "EC", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, bits = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        key_type, bits = type(key).__name__.replace("PublicKey", ""), 256
    else:
        key_type, bits = type(key).__name__, 0
    sig = cert.signature_hash_algorithm
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key_type": key_type,
        "key_bits": bits,
        "signature_algorithm": f"{sig.name if sig else 'none'}-{key_type}",
        "self_signed": cert.subject == cert.issuer,
        "serial_number": format(cert.serial_number, "x"),
    }


def probe_tls(host: str, port: int, timeout: float) -> dict[str, Any]:
    """Per version: accepted (True/False) or not probed (None); the certificate of the best."""
    accepted: dict[str, bool | None] = {}
    der = None
    for version in VERSIONS:
        try:
            ok, cert = handshake(host, port, version, timeout)
        except NotImplementedError:
            accepted[version] = None
            continue
        accepted[version] = ok
        der = cert or der
    return {
        "host": host,
        "port": port,
        "accepted": accepted,
        "certificate": certificate_details(der) if der else None,
    }
