"""The simulator's HTTP Digest nonces: a nonce is fresh the moment it is issued.

A client on loopback answers a challenge within microseconds; a nonce whose timestamp lay in
the future (rounded up) was refused then, and requests' HTTPDigestAuth, which retries a
challenge once, gave up with a 401 (seen as a rare failure of the schema tests).
"""

from __future__ import annotations

from fake_vms.onvif.auth import DigestNonces


def test_a_nonce_is_fresh_as_soon_as_it_is_issued() -> None:
    nonces = DigestNonces()
    stale = [n for n in (nonces.issue() for _ in range(5000)) if not nonces.is_fresh(n)]
    assert stale == []


def test_a_nonce_past_its_lifetime_or_forged_is_refused() -> None:
    nonces = DigestNonces(lifetime_s=0.0)
    assert not nonces.is_fresh(nonces.issue())
    assert not DigestNonces().is_fresh(nonces.issue())  # another server's secret
    assert not DigestNonces().is_fresh("not base64!")
