"""Redaction: a device's credentials never reach a report, in any form a transcript carries them.

Evidence is handed to procurement teams and published by suppliers; one leaked camera password in
a SOAP transcript or an Authorization header would make the whole report unshareable. The
property test hunts for forms the hand-written cases miss.
"""

from __future__ import annotations

import base64
import string
from urllib.parse import quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.redaction import MASK, Redactor

SECRET = "Cam-P4ss/w0rd!"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_plain_secret_masked() -> None:
    out = Redactor([SECRET])(f"password is {SECRET}, again {SECRET}.")
    assert SECRET not in out
    assert out == f"password is {MASK}, again {MASK}."


def test_base64_whole_and_inside_user_colon_password() -> None:
    """HTTP Basic sends base64("user:password"); the secret sits at any 3-byte alignment."""
    redact = Redactor([SECRET])
    for user in ("a", "ab", "abc", "admin", "operator"):
        token = _b64(f"{user}:{SECRET}")
        out = redact(f"token={token};")
        assert token not in out, user
    assert _b64(SECRET) not in redact(f"x {_b64(SECRET)} y")


def test_url_encoded_forms_masked() -> None:
    redact = Redactor([SECRET])
    for form in (quote(SECRET, safe=""), quote_plus(SECRET)):
        assert form != SECRET
        out = redact(f"http://cam/cgi?pw={form}&x=1")
        assert form not in out
        assert MASK in out


def test_ws_security_elements_masked_without_knowing_the_secret() -> None:
    """WS-Security digests and nonces are credentials too, even though no secret is configured."""
    header = (
        "<wsse:UsernameToken><wsse:Username>admin</wsse:Username>"
        '<wsse:Password Type="...#PasswordDigest">q5KJ0F2RfTcYHkw1bBe2/0pBDAc=</wsse:Password>'
        '<wsse:Nonce EncodingType="...#Base64Binary">LKqI6G/AikKCQrN0zqZFlg==</wsse:Nonce>'
        "<Password>plain</Password></wsse:UsernameToken>"
    )
    out = Redactor()(header)
    for leaked in ("admin", "q5KJ0F2RfTcYHkw1bBe2/0pBDAc=", "LKqI6G/AikKCQrN0zqZFlg==", "plain"):
        assert leaked not in out
    assert f"<wsse:Username>{MASK}</wsse:Username>" in out
    assert f'<wsse:Password Type="...#PasswordDigest">{MASK}</wsse:Password>' in out
    assert f"<Password>{MASK}</Password>" in out


def test_authorization_headers_masked() -> None:
    text = (
        "GET /snapshot HTTP/1.1\r\n"
        'Authorization: Digest username="admin", nonce="abc", response="d41d8cd98f"\r\n'
        "proxy-authorization: Basic YWRtaW46c2VjcmV0\r\n"
        "Accept: */*\r\n"
    )
    out = Redactor()(text)
    assert "d41d8cd98f" not in out and "YWRtaW46c2VjcmV0" not in out
    assert f"Authorization: {MASK}" in out
    assert "Accept: */*" in out  # only credential-bearing lines are touched


def test_userinfo_in_urls_masked() -> None:
    out = Redactor()("play rtsp://admin:hunter2@10.0.0.5:554/stream1 and http://u@h/x")
    assert "hunter2" not in out and "admin" not in out
    assert f"rtsp://{MASK}@10.0.0.5:554/stream1" in out
    assert f"http://{MASK}@h/x" in out


def test_short_secrets_are_not_masked_everywhere() -> None:
    """Secrets under 3 characters would mask half the transcript; they are ignored by design."""
    assert Redactor(["ab", None, ""])("abc ab") == "abc ab"


def test_add_and_bytes() -> None:
    redact = Redactor()
    redact.add(SECRET)
    assert SECRET.encode() not in redact.bytes(f"x{SECRET}y".encode())
    assert redact.bytes(b"\xff" + SECRET.encode()).endswith(MASK.encode())


def test_longest_secret_masked_whole() -> None:
    """A password containing the user name must not be half-masked, leaving a tail behind."""
    out = Redactor(["admin", "admin-2024-pw"])("login admin-2024-pw")
    assert out == f"login {MASK}"


# The mask's own character is excluded: a secret built from "*" could be re-created by the mask.
_ALPHABET = "".join(c for c in string.printable if c not in "*\t\n\r\x0b\x0c")
secrets = st.text(alphabet=_ALPHABET, min_size=6, max_size=40)
text = st.text(alphabet=string.printable, max_size=60)
users = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(secret=secrets, user=users, before=text, between=text, after=text)
def test_secret_never_survives(
    secret: str, user: str, before: str, between: str, after: str
) -> None:
    """Whatever surrounds it, the secret is gone in plain, base64 and URL-encoded forms."""
    basic = _b64(f"{user}:{secret}")
    forms = [secret, quote(secret, safe=""), quote_plus(secret), _b64(secret)]
    blob = f"{before}{secret}{between}{basic} {quote(secret, safe='')}{after} {_b64(secret)}"
    blob += f" {quote_plus(secret)}"
    out = Redactor([user, secret])(blob)
    for form in forms:
        assert form not in out, form
    assert basic not in out


def test_child_masks_its_own_secrets_and_teaches_the_parent_what_it_learns() -> None:
    """A child redactor (one client's throwaway credentials) masks the parent's secrets and its
    own; the parent is not burdened with the child's, but learns passwords the child finds in
    URLs (a device's own credentials must be masked everywhere)."""
    run = Redactor(["run-secret-1"])
    child = run.child()
    child.add("throwaway-pw-9")
    assert child("run-secret-1 throwaway-pw-9") == f"{MASK} {MASK}"
    assert run("throwaway-pw-9") == "throwaway-pw-9"
    child("rtsp://admin:device-pw-7@192.0.2.1/stream")
    assert run("device-pw-7") == MASK
