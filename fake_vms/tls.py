"""TLS for the simulated device's HTTPS listener: a self-signed certificate made at start.

ONVIF Core recommends TLS-based access; the simulator serves the same ONVIF routes on a second,
HTTPS port. The certificate is generated in memory (EC P-256, SHA-256, one year) so no key file
is shipped. XAddrs stay http: like most cameras out of the box, HTTPS is an extra listener that a
client finds from GetNetworkProtocols-style configuration or the target file, not from GetServices.
The ready file carries the port (``https_port``).

The default serves TLS 1.2 and 1.3 only. A persona can pin an old version (``tls_version``,
e.g. "TLSv1"): OpenSSL 3 still speaks TLS 1.0 when the cipher security level is 0, which is how
legacy camera firmware behaves.
"""

from __future__ import annotations

import datetime
import os
import ssl
import tempfile
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_VERSIONS = {
    "TLSv1": "TLSv1",
    "TLSv1.1": "TLSv1_1",
    "TLSv1.2": "TLSv1_2",
    "TLSv1.3": "TLSv1_3",
}


def self_signed_pem(common_name: str) -> bytes:
    """Certificate and private key (PEM, concatenated) for ``common_name``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "FakeVMS simulator"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM) + key_pem


def server_context(common_name: str, pinned_version: str = "") -> ssl.SSLContext:
    """A server context: TLS >= 1.2, or exactly ``pinned_version`` (a persona's legacy TLS)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain reads files only: a private temporary file, removed at once.
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(self_signed_pem(common_name))
        context.load_cert_chain(path)
    finally:
        os.unlink(path)
    if pinned_version:
        version = getattr(ssl.TLSVersion, _VERSIONS[pinned_version])
        with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = version
            context.maximum_version = version
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
