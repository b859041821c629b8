"""The VMS's signing key: Ed25519 over the manifest bytes, public key published at /api/keys.

Ed25519 because it is deterministic, small and has no parameter choices (padding, hash, salt) a
verifier could get wrong; the key is generated per simulator process (a real VMS would hold it in
an HSM and publish a certificate).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ALGORITHM = "Ed25519"


class Signer:
    """Holds one Ed25519 key pair; ``sign`` returns the raw 64-byte signature."""

    def __init__(self) -> None:
        self._key = Ed25519PrivateKey.generate()

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def public_pem(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
