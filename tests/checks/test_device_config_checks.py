"""ONVIF-DEV-NET-01, -USERS-01 and -READS-01 on hand-made replies: good, broken and legal-odd."""

from __future__ import annotations

from types import SimpleNamespace as NS

from conformance.checks.device import ONVIF_ERROR_NS, SOAP_ENV_NS, Refusal
from conformance.checks.device_config import (
    Read,
    Served,
    check_dns,
    check_interfaces,
    check_io_reads,
    check_network_reads,
    check_ntp,
    check_protocols,
    check_users,
    refused_access,
)
from conformance.checks.device_config_views import (
    dns_view,
    dynamic_dns_view,
    gateway_view,
    interfaces_view,
    ntp_view,
    protocols_view,
    relay_capability_count,
    relay_outputs_view,
    system_log_view,
    users_view,
)

ANSWERED = Refusal("answered", http_status=200)
NOT_SUPPORTED = Refusal(
    "fault",
    http_status=500,
    code=f"{{{SOAP_ENV_NS}}}Receiver",
    subcodes=(f"{{{ONVIF_ERROR_NS}}}ActionNotSupported",),
)
NOT_AUTHORIZED = Refusal(
    "fault",
    http_status=400,
    code=f"{{{SOAP_ENV_NS}}}Sender",
    subcodes=(f"{{{ONVIF_ERROR_NS}}}OperationProhibited", f"{{{ONVIF_ERROR_NS}}}NotAuthorized"),
)
SENDER_FAULT = Refusal(
    "fault",
    http_status=400,
    code=f"{{{SOAP_ENV_NS}}}Sender",
    subcodes=(f"{{{ONVIF_ERROR_NS}}}InvalidArgVal",),
)


def _interface(address="192.0.2.10", prefix=24, token="eth0", enabled=True, dhcp=None):
    config = NS(Manual=[NS(Address=address, PrefixLength=prefix)], LinkLocal=None, FromDHCP=dhcp)
    return NS(token=token, Enabled=enabled, IPv4=NS(Enabled=True, Config=config), IPv6=None)


def _served(http=80, rtsp=554) -> Served:
    served = Served()
    served.add(f"http://192.0.2.10:{http}/onvif/device_service", "device service")
    served.add(f"rtsp://192.0.2.10:{rtsp}/main", "stream URI")
    return served


def _protocols(http=80, rtsp=554, rtsp_enabled=True):
    return protocols_view(
        [
            NS(Name="HTTP", Enabled=True, Port=[http]),
            NS(Name="HTTPS", Enabled=False, Port=[443]),
            NS(Name="RTSP", Enabled=rtsp_enabled, Port=[rtsp]),
        ]
    )


def _good_reads(**override):
    reads = {
        "GetNetworkInterfaces": Read(
            "GetNetworkInterfaces", ANSWERED, interfaces_view([_interface()])
        ),
        "GetDNS": Read(
            "GetDNS",
            ANSWERED,
            dns_view(NS(FromDHCP=False, DNSManual=[NS(Type="IPv4", IPv4Address="192.0.2.53")])),
        ),
        "GetNTP": Read(
            "GetNTP",
            ANSWERED,
            ntp_view(NS(FromDHCP=True, NTPFromDHCP=[NS(Type="DNS", DNSname="ntp.example.net")])),
        ),
        "GetNetworkProtocols": Read("GetNetworkProtocols", ANSWERED, _protocols()),
        "GetNetworkDefaultGateway": Read(
            "GetNetworkDefaultGateway", ANSWERED, gateway_view(NS(IPv4Address=["192.0.2.1"]))
        ),
        "GetDynamicDNS": Read("GetDynamicDNS", ANSWERED, dynamic_dns_view(NS(Type="NoUpdate"))),
    }
    reads.update(override)
    return reads


def test_network_reads_good_device_passes():
    problems, notes = check_network_reads(_good_reads(), "192.0.2.10", _served())
    assert problems == [] and notes == []


def test_optional_network_reads_may_be_declined_mandatory_may_not():
    reads = _good_reads(
        GetNTP=Read("GetNTP", NOT_SUPPORTED),
        GetDynamicDNS=Read("GetDynamicDNS", NOT_SUPPORTED),
    )
    problems, notes = check_network_reads(reads, "192.0.2.10", _served())
    assert problems == [] and len(notes) == 2
    reads = _good_reads(GetDNS=Read("GetDNS", NOT_SUPPORTED), GetNTP=Read("GetNTP", SENDER_FAULT))
    problems, _ = check_network_reads(reads, "192.0.2.10", _served())
    assert len(problems) == 2
    assert "GetDNS answered SOAP fault env:Receiver/ter:ActionNotSupported" in problems[0]
    assert "GetNTP answered SOAP fault env:Sender/ter:InvalidArgVal" in problems[1]


def test_protocols_port_other_than_served_is_named():
    problems = check_protocols(_protocols(rtsp=555), _served())
    assert problems == [
        "GetNetworkProtocols lists RTSP enabled on 555, yet the device serves RTSP on port 554 "
        "(stream URI)"
    ]


def test_protocols_missing_or_disabled_while_served():
    problems = check_protocols(_protocols()[:2], _served())
    assert problems and "does not list RTSP" in problems[0]
    problems = check_protocols(_protocols(rtsp_enabled=False), _served())
    assert problems and "RTSP disabled on 554" in problems[0]


def test_protocols_legal_odd_default_ports_extra_ports_any_order():
    served = Served()
    served.add("http://192.0.2.10/onvif/device_service", "device service")
    served.add("rtsp://192.0.2.10/main", "stream URI")
    protocols = protocols_view(
        [
            NS(Name="RTSP", Enabled=True, Port=[8554, 554]),
            NS(Name="HTTP", Enabled=True, Port=[80, 8080]),
        ]
    )
    assert check_protocols(protocols, served) == []


def test_interfaces_must_report_the_address_the_device_answers_on():
    view = interfaces_view([_interface(address="10.0.0.5")])
    problems = check_interfaces(view, "192.0.2.10")
    assert problems == [
        "no enabled interface reports 192.0.2.10, the address the device answers on "
        "(addresses reported: 10.0.0.5)"
    ]
    # reached by host name: nothing to compare, the rest still judged
    assert check_interfaces(view, "camera.example.net") == []
    # a second interface and a DHCP address are legal
    both = interfaces_view(
        [_interface(address="10.0.0.5"), _interface(token="eth1", address="192.0.2.10")]
    )
    assert check_interfaces(both, "192.0.2.10") == []


def test_interfaces_bad_address_and_prefix():
    problems = check_interfaces(interfaces_view([_interface(address="300.1.1.1")]), "x")
    assert problems and "is not an IPv4 address" in problems[0]
    problems = check_interfaces(interfaces_view([_interface(prefix=40)]), "192.0.2.10")
    assert problems and "PrefixLength 40" in problems[0]


def test_dns_and_ntp_entries_must_match_their_type():
    bad = dns_view(NS(FromDHCP=None, DNSManual=[NS(Type="IPv4", IPv6Address="2001:db8::1")]))
    problems = check_dns(bad)
    assert "no FromDHCP" in problems[0] and "Type IPv4 without IPv4Address" in problems[1]
    good = ntp_view(
        NS(
            FromDHCP=False,
            NTPManual=[NS(Type="IPv6", IPv6Address="2001:db8::123"), NS(Type="DNS", DNSname="a.b")],
        )
    )
    assert check_ntp(good) == []
    problems = check_ntp(ntp_view(NS(FromDHCP=False, NTPManual=[NS(Type="DNS", DNSname="a b")])))
    assert problems and "is not a host name" in problems[0]


def test_users_good_and_password_withheld():
    users = [
        NS(Username="admin", Password=None, UserLevel="Administrator"),
        NS(Username="viewer", UserLevel="User", _vendor="x"),
    ]
    assert check_users(Read("GetUsers", ANSWERED, users_view(users))) == []
    leaked = [NS(Username="admin", Password="s3cret-value", UserLevel="Administrator")]
    view = users_view(leaked)
    assert "s3cret-value" not in repr(view) and "admin" not in repr(view)
    problems = check_users(Read("GetUsers", ANSWERED, view))
    assert len(problems) == 1 and "Password" in problems[0] and "s3cret" not in problems[0]


def test_users_level_and_refusal():
    problems = check_users(
        Read("GetUsers", ANSWERED, users_view([NS(Username="", UserLevel="Root")]))
    )
    assert "no Username" in problems[0] and "UserLevel 'Root'" in problems[1]
    assert check_users(Read("GetUsers", NOT_SUPPORTED)) == [
        "GetUsers answered SOAP fault env:Receiver/ter:ActionNotSupported"
    ]


def _relays(count):
    return relay_outputs_view(
        [NS(token=f"r{i}", Properties=NS(Mode="Bistable", IdleState="open")) for i in range(count)]
    )


def test_io_reads_good_and_relay_count_mismatch():
    log = Read("GetSystemLog", ANSWERED, system_log_view(NS(String="boot\n", Binary=None)))
    remote = Read("GetRemoteUser", ANSWERED, {"RemoteUser": False})
    ip_filter = Read("GetIPAddressFilter", ANSWERED, {"Type": "Deny"})
    problems, notes = check_io_reads(
        log, remote, ip_filter, Read("GetRelayOutputs", ANSWERED, _relays(1)), 1
    )
    assert problems == [] and notes == []
    problems, _ = check_io_reads(
        log, remote, ip_filter, Read("GetRelayOutputs", ANSWERED, _relays(1)), 2
    )
    assert problems == [
        "GetRelayOutputs lists 1 relay output(s), GetCapabilities Device.IO.RelayOutputs says 2"
    ]


def test_io_reads_optional_declines_and_relay_decline_rules():
    declined = [Read(op, NOT_SUPPORTED) for op in ("GetSystemLog", "GetRemoteUser")]
    ip_filter = Read("GetIPAddressFilter", ANSWERED, {"Type": "Allow"})
    problems, notes = check_io_reads(
        *declined, ip_filter, Read("GetRelayOutputs", NOT_SUPPORTED), 0
    )
    assert problems == [] and len(notes) == 3
    problems, _ = check_io_reads(*declined, ip_filter, Read("GetRelayOutputs", NOT_SUPPORTED), 2)
    assert problems == ["GetRelayOutputs answered SOAP fault env:Receiver/ter:ActionNotSupported"]


def test_io_reads_empty_log_and_bad_filter_type():
    log = Read("GetSystemLog", ANSWERED, system_log_view(NS(String=None, Binary=None)))
    remote = Read("GetRemoteUser", SENDER_FAULT)
    ip_filter = Read("GetIPAddressFilter", ANSWERED, {"Type": ""})
    problems, _ = check_io_reads(log, remote, ip_filter, Read("GetRelayOutputs", ANSWERED, []), 0)
    assert any("neither String nor Binary" in p for p in problems)
    assert any("GetRemoteUser answered SOAP fault env:Sender" in p for p in problems)
    assert any("Type '' is not Allow or Deny" in p for p in problems)


def test_relay_capability_count():
    assert relay_capability_count(NS(Device=NS(IO=NS(RelayOutputs=2)))) == 2
    assert relay_capability_count(NS(Device=NS(IO=None))) is None
    assert relay_capability_count(None) is None


def test_admin_only_reads_refused_to_the_account_are_noted_not_failed():
    assert refused_access(NOT_AUTHORIZED) and refused_access(Refusal("http", http_status=401))
    assert not refused_access(SENDER_FAULT) and not refused_access(NOT_SUPPORTED)
    log = Read("GetSystemLog", NOT_AUTHORIZED)
    remote = Read("GetRemoteUser", NOT_AUTHORIZED)
    ip_filter = Read("GetIPAddressFilter", ANSWERED, {"Type": "Deny"})
    problems, notes = check_io_reads(
        log, remote, ip_filter, Read("GetRelayOutputs", ANSWERED, []), 0
    )
    assert problems == [] and len(notes) == 2 and "Administrator account" in notes[0]
    # a mandatory network read refused is still a failure
    reads = _good_reads(GetDNS=Read("GetDNS", NOT_AUTHORIZED))
    problems, _ = check_network_reads(reads, "192.0.2.10", _served())
    assert problems and "GetDNS answered SOAP fault" in problems[0]
