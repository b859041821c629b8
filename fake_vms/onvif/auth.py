"""Authentication for the simulated ONVIF device: WS-UsernameToken digest, HTTP Digest, policy.

ONVIF Core 5.9 lets a client authenticate with either WS-Security UsernameToken (PasswordDigest)
or HTTP Digest, and exempts a few PRE_AUTH operations so a client can find the device's clock
and services before it has credentials. The checks are strict (clock window, nonce replay) so
the suite's clients are exercised the way a real, well-behaved device would exercise them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from lxml import etree

from fake_vms.clock import device_now
from fake_vms.onvif.soap import WSSE, WSU
from fake_vms.security import Lockout, accounts, may_call
from fake_vms.site import CameraConfig

PRE_AUTH_OPERATIONS = frozenset(
    {
        "GetSystemDateAndTime",
        "GetServices",
        "GetCapabilities",
        "GetServiceCapabilities",
        "GetWsdlUrl",
        "GetHostname",
    }
)
REALM = "FakeVMS"
CREATED_WINDOW = timedelta(minutes=5)
NONCE_MEMORY_S = 600.0
DIGEST_NONCE_LIFETIME_S = 300.0
HTML_AUTH_ERROR = b"<html><body>Authentication Error: Access Denied!</body></html>"


class Verdict(Enum):
    """What the policy decided; the server turns it into an HTTP/SOAP reply."""

    ALLOWED = "allowed"
    CHALLENGE = "challenge"  # HTTP 401 with a Digest challenge
    NOT_AUTHORIZED = "not_authorized"  # SOAP fault env:Sender/ter:NotAuthorized
    HTML_ERROR = "html_error"  # knob bad_credentials_html: HTTP 400 with an HTML page


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    authenticated: bool
    level: str = ""
    """The authenticated user's level (ONVIF Core 5.9.4), "" when anonymous."""


class NonceCache:
    """Remembers WS-Security nonces so a captured request cannot be replayed."""

    def __init__(self, memory_s: float = NONCE_MEMORY_S) -> None:
        self._memory_s = memory_s
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, nonce: str) -> bool:
        """Record ``nonce``; False if it was already seen within the memory window."""
        now = time.monotonic()
        with self._lock:
            self._seen = {n: t for n, t in self._seen.items() if now - t < self._memory_s}
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True


class DigestNonces:
    """Stateless HTTP Digest server nonces: a timestamp signed with a per-server secret."""

    def __init__(self, lifetime_s: float = DIGEST_NONCE_LIFETIME_S) -> None:
        self._secret = secrets.token_bytes(16)
        self._lifetime_s = lifetime_s

    def issue(self) -> str:
        # Milliseconds, truncated: a stamp rounded up lay up to 0.5 ms in the future, so a
        # client answering the challenge within that half millisecond (requests on loopback)
        # was refused as "not yet issued" and, having retried once, gave up with a 401.
        stamp = f"{time.time_ns() // 1_000_000 / 1000:.3f}"
        return base64.b64encode(f"{stamp}:{self._sign(stamp)}".encode()).decode()

    def is_fresh(self, nonce: str) -> bool:
        try:
            stamp, signature = base64.b64decode(nonce, validate=True).decode().split(":")
            issued = float(stamp)
        except ValueError:
            return False
        return hmac.compare_digest(signature, self._sign(stamp)) and (
            0 <= time.time() - issued < self._lifetime_s
        )

    def _sign(self, stamp: str) -> str:
        return hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]

    def challenge(self) -> str:
        return f'Digest realm="{REALM}", qop="auth", nonce="{self.issue()}", algorithm=MD5'


class Authenticator:
    """Applies the ONVIF authentication policy for one camera, honouring its knobs."""

    def __init__(self, camera: CameraConfig) -> None:
        self.camera = camera
        self.digest_nonces = DigestNonces()
        self._wsse_nonces = NonceCache()
        self.accounts = accounts(camera)
        self.lockout = Lockout(camera)

    def challenge(self) -> str:
        """WWW-Authenticate for a 401: Digest, plus Basic where a persona offers it."""
        basic = ', Basic realm="' + REALM + '"' if self.camera.knobs.basic_auth_accepted else ""
        return self.digest_nonces.challenge() + basic

    def decide(
        self,
        operation: str,
        method: str,
        uri: str,
        authorization: str | None,
        soap_header: etree._Element | None,
    ) -> Decision:
        """Decide whether ``operation`` may run given the request's credentials."""
        knobs = self.camera.knobs
        user = self.http_user(method, uri, authorization) if authorization else None
        token = _find_username_token(soap_header)
        if user is None and token is not None:
            user = self._check_username_token(token)
        authenticated = user is not None
        level = self.accounts[user].level if user is not None else ""
        needs_auth = operation not in PRE_AUTH_OPERATIONS or (
            knobs.time_requires_auth and operation == "GetSystemDateAndTime"
        )
        if authenticated and not may_call(self.camera, level, operation):
            return Decision(Verdict.NOT_AUTHORIZED, True, level)
        if authenticated or not needs_auth or knobs.protected_ops_open:
            return Decision(Verdict.ALLOWED, authenticated, level)
        if token is not None:
            verdict = Verdict.HTML_ERROR if knobs.bad_credentials_html else Verdict.NOT_AUTHORIZED
            return Decision(verdict, False)
        return Decision(Verdict.CHALLENGE, False)

    def check_http_digest(self, method: str, uri: str, authorization: str) -> bool:
        """Whether the Authorization header authenticates any account (see :meth:`http_user`)."""
        return self.http_user(method, uri, authorization) is not None

    def http_user(self, method: str, uri: str, authorization: str) -> str | None:
        """The account an HTTP Authorization header authenticates: RFC 2617 Digest (MD5,
        qop=auth), or Basic only where a persona accepts it. Wrong passwords count towards
        the account's lockout; a locked account authenticates nothing."""
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() == "basic" and self.camera.knobs.basic_auth_accepted:
            try:
                name, _, secret = base64.b64decode(rest.strip()).decode().partition(":")
            except ValueError:
                return None
            return self._verified(name, lambda account: account.password == secret)
        if scheme.lower() != "digest":
            return None
        params = parse_digest_params(rest)
        required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
        if any(key not in params for key in required):
            return None
        if (
            params["username"] not in self.accounts
            or params["realm"] != REALM
            or params["qop"] != "auth"
            or params["uri"] != uri
            or params.get("algorithm", "MD5").upper() != "MD5"
            or not self.digest_nonces.is_fresh(params["nonce"])
        ):
            return None

        def matches(account) -> bool:
            ha1 = _md5(f"{account.username}:{REALM}:{account.password}")
            ha2 = _md5(f"{method}:{params['uri']}")
            expected = _md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
            return hmac.compare_digest(expected, params["response"].lower())

        return self._verified(params["username"], matches)

    def _verified(self, username: str, matches) -> str | None:
        """``username`` if it is a known, unlocked account whose secret ``matches``."""
        account = self.accounts.get(username)
        if account is None or self.lockout.locked(username):
            return None
        if matches(account):
            return username
        self.lockout.failed(username)
        return None

    def _check_username_token(self, token: etree._Element) -> str | None:
        """WS-Security UsernameToken Profile 1.0 PasswordDigest, device clock, no replays."""
        knobs = self.camera.knobs
        username = _text(token, WSSE, "Username")
        password = token.find(f"{{{WSSE}}}Password")
        nonce_b64 = _text(token, WSSE, "Nonce")
        created = _text(token, WSU, "Created")
        if password is None or not password.get("Type", "").endswith("#PasswordDigest"):
            return None
        if username is None or not nonce_b64 or not created:
            return None
        created_at = _parse_created(created)
        if created_at is None or (
            abs(created_at - device_now(self.camera)) > CREATED_WINDOW
            and not knobs.wsse_stale_created_accepted
        ):
            return None
        try:
            nonce = base64.b64decode(nonce_b64, validate=True)
        except ValueError:
            return None

        def matches(account) -> bool:
            digest = hashlib.sha1(nonce + created.encode() + account.password.encode()).digest()
            sent = (password.text or "").strip()
            return hmac.compare_digest(base64.b64encode(digest).decode(), sent)

        user = self._verified(username, matches)
        if user is None:
            return None
        fresh = self._wsse_nonces.first_use(nonce_b64)
        return user if fresh or knobs.wsse_nonce_replay_accepted else None


def parse_digest_params(text: str) -> dict[str, str]:
    """Parse ``key=value, key="quoted, value"`` pairs of a Digest header."""
    params: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " ,":
            i += 1
        eq = text.find("=", i)
        if eq < 0:
            break
        key = text[i:eq].strip().lower()
        i = eq + 1
        if i < n and text[i] == '"':
            end = i + 1
            value = []
            while end < n and text[end] != '"':
                if text[end] == "\\" and end + 1 < n:
                    end += 1
                value.append(text[end])
                end += 1
            params[key] = "".join(value)
            i = end + 1
        else:
            end = text.find(",", i)
            end = n if end < 0 else end
            params[key] = text[i:end].strip()
            i = end
    return params


def _find_username_token(header: etree._Element | None) -> etree._Element | None:
    if header is None:
        return None
    return header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")


def _text(parent: etree._Element, ns: str, name: str) -> str | None:
    el = parent.find(f"{{{ns}}}{name}")
    return None if el is None or el.text is None else el.text.strip()


def _parse_created(value: str) -> datetime | None:
    """xs:dateTime as clients send it; a Created without a timezone is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()
