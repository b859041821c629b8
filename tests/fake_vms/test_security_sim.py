"""The simulator's security behaviour over real loopback sockets: HTTPS, user levels, lockout,
the auxiliary port, and the security personas' deviations."""

from __future__ import annotations

import socket
import time

import pytest
from requests.auth import HTTPBasicAuth

from conformance.answers import answer_of
from conformance.clients.onvif import OnvifClient
from conformance.clients.tls_probe import probe_tls
from fake_vms.host import SimulatorThread
from fake_vms.personas import PERSONAS
from fake_vms.security import LOCKOUT_SECONDS, LOCKOUT_THRESHOLD
from fake_vms.site import CameraConfig, Site, apply_persona

PROBE = ("devicemgmt", "GetDeviceInformation")
NAMES = ("basic-auth", "tls10-only", "undeclared-open-port", "operator-can-admin", "no-lockout")


@pytest.fixture(scope="module")
def devices():
    cameras = [CameraConfig(name="good")] + [
        apply_persona(CameraConfig(name=n), PERSONAS[n]) for n in NAMES
    ]
    with SimulatorThread(Site("security", tuple(cameras))) as sim:
        yield {d["name"]: d for d in sim.host.ready()["devices"]}


def _client(entry, user=None, password=None) -> OnvifClient:
    return OnvifClient(
        entry["onvif_url"],
        user or entry["username"],
        password if password is not None else entry["password"],
        timeout=5.0,
    )


def test_https_serves_tls12_or_newer_only(devices):
    report = probe_tls("127.0.0.1", devices["good"]["https_port"], 5.0)
    accepted = report["accepted"]
    assert accepted["TLSv1.2"] and accepted["TLSv1.3"]
    assert not accepted["TLSv1"] and not accepted["TLSv1.1"]
    assert report["certificate"]["self_signed"] and report["certificate"]["key_type"] == "EC"


def test_tls10_persona_speaks_only_tls10(devices):
    accepted = probe_tls("127.0.0.1", devices["tls10-only"]["https_port"], 5.0)["accepted"]
    assert accepted == {"TLSv1": True, "TLSv1.1": False, "TLSv1.2": False, "TLSv1.3": False}


def test_operator_is_refused_admin_operations(devices):
    good = devices["good"]
    operator = _client(good, good["operator_username"], good["operator_password"])
    assert answer_of(lambda: operator.call(*PROBE)).kind == "answered"
    assert answer_of(lambda: operator.call("devicemgmt", "GetUsers")).kind == "fault"
    bad = devices["operator-can-admin"]
    operator = _client(bad, bad["operator_username"], bad["operator_password"])
    assert answer_of(lambda: operator.call("devicemgmt", "GetUsers")).kind == "answered"


@pytest.mark.parametrize(("name", "locks"), [("good", True), ("no-lockout", False)])
def test_lockout_after_failures(devices, name, locks):
    entry = devices[name]
    user, password = entry["operator_username"], entry["operator_password"]
    wrong = _client(entry, user, "wrong")
    for _ in range(LOCKOUT_THRESHOLD):
        answer_of(lambda: wrong.call(*PROBE))
    right = _client(entry, user, password)
    assert (answer_of(lambda: right.call(*PROBE)).kind != "answered") is locks
    if locks:
        time.sleep(LOCKOUT_SECONDS + 0.2)
        assert answer_of(lambda: right.call(*PROBE)).kind == "answered"


def test_administrator_is_never_locked(devices):
    good = devices["good"]
    wrong = _client(good, password="wrong")
    for _ in range(LOCKOUT_THRESHOLD + 1):
        answer_of(lambda: wrong.call(*PROBE))
    assert answer_of(lambda: _client(good).call(*PROBE)).kind == "answered"


def test_basic_offered_and_accepted_only_by_persona(devices):
    body = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<tds:GetDeviceInformation xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/>'
        b"</s:Body></s:Envelope>"
    )
    for name, expected in (("good", 401), ("basic-auth", 200)):
        entry = devices[name]
        client = _client(entry)
        auth = HTTPBasicAuth(entry["username"], entry["password"])
        assert client.post_raw(entry["onvif_url"], body, auth=auth).status == expected
        challenge = client.post_raw(entry["onvif_url"], body).headers["WWW-Authenticate"]
        assert challenge.startswith("Digest ")
        assert ("Basic realm" in challenge) is (name == "basic-auth")


def test_aux_port_closed_unless_persona(devices):
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", devices["good"]["aux_port"]), timeout=1).close()
    with socket.create_connection(
        ("127.0.0.1", devices["undeclared-open-port"]["aux_port"]), timeout=1
    ) as sock:
        assert sock.recv(64).startswith(b"BusyBox")
