"""RTSP Digest authentication (RFC 2617, MD5, with or without qop=auth).

Nonces are stateless (timestamp plus HMAC) so that any number of clients can authenticate
without the server keeping per-client state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]*))')
NONCE_LIFETIME_S = 3600


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class DigestAuth:
    """Issues Digest challenges and verifies Authorization headers for one user."""

    def __init__(self, username: str, password: str, realm: str = "FakeVMS") -> None:
        self.realm = realm
        self._username = username
        self._ha1 = _md5(f"{username}:{realm}:{password}")
        self._secret = secrets.token_bytes(16)

    def _sign(self, stamp: str) -> str:
        return hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:24]

    def challenge(self) -> str:
        """A WWW-Authenticate header value with a fresh nonce."""
        stamp = f"{int(time.time()):x}"
        return f'Digest realm="{self.realm}", nonce="{stamp}{self._sign(stamp)}", algorithm=MD5'

    def _basic_ok(self, authorization: str | None) -> bool:
        if not authorization or authorization[:6].lower() != "basic ":
            return False
        try:
            user, _, password = base64.b64decode(authorization[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        ha1 = _md5(f"{user}:{self.realm}:{password}")
        return user == self._username and hmac.compare_digest(ha1, self._ha1)

    def _nonce_valid(self, nonce: str) -> bool:
        stamp, signature = nonce[:-24], nonce[-24:]
        if not stamp or not hmac.compare_digest(signature, self._sign(stamp)):
            return False
        try:
            return time.time() - int(stamp, 16) < NONCE_LIFETIME_S
        except ValueError:
            return False

    def check(self, method: str, authorization: str | None, basic: bool = False) -> bool:
        """Whether ``authorization`` carries valid Digest credentials for ``method``.

        ``basic``: the camera speaks Basic only (a field quirk): Basic credentials are checked
        instead, and Digest is not understood."""
        if basic:
            return self._basic_ok(authorization)
        if not authorization or authorization[:7].lower() != "digest ":
            return False
        params = {k.lower(): q or b for k, q, b in _PARAM.findall(authorization[7:])}
        if params.get("username") != self._username or params.get("realm") != self.realm:
            return False
        nonce = params.get("nonce", "")
        if not self._nonce_valid(nonce):
            return False
        ha2 = _md5(f"{method}:{params.get('uri', '')}")
        if params.get("qop"):
            digest_input = (
                f"{self._ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}"
                f":{params['qop']}:{ha2}"
            )
        else:
            digest_input = f"{self._ha1}:{nonce}:{ha2}"
        return hmac.compare_digest(_md5(digest_input), params.get("response", ""))
