"""Transport security and attack surface: TLS, open ports, firmware, declared-only items."""

from __future__ import annotations

import pytest

from conformance.checks.security import check_firmware, check_ports, check_tls, declared_reason
from conformance.outcomes import Inconclusive, not_tested
from conformance.suites.security.accounts import security_section


@pytest.mark.requirement("SEC-TLS-01")
def test_tls_offered_and_modern(device, evidence, conformance_run, params):
    from conformance.clients.tls_probe import TlsUnreachable, probe_tls

    port = security_section(conformance_run).https_port or int(params.get("https_port", 443))
    try:
        report = probe_tls(device.device.host, port, device.timeout)
    except TlsUnreachable as exc:
        report = {"host": device.device.host, "port": port, "accepted": {}, "error": str(exc)}
    evidence.measure("tls_versions", report["accepted"])
    if report.get("certificate"):
        evidence.measure("certificate", report["certificate"])
    evidence.attach_json("tls-probe", report)
    not_probed = [v for v, ok in report["accepted"].items() if ok is None]
    if not_probed:
        evidence.note(f"this host's OpenSSL cannot offer {', '.join(not_probed)}: not probed")
    problems = check_tls(report)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("SEC-PORTS-01")
def test_open_ports_declared(device, evidence, conformance_run, params):
    from conformance.clients.portscan import WELL_KNOWN_CAMERA_PORTS, scan

    section = security_section(conformance_run)
    if not section.open_ports:
        not_tested("the supplier declares no open-port list (security.open_ports)")
    candidates = set(section.open_ports) | set(section.scan_ports)
    if section.scan_well_known:
        candidates |= set(WELL_KNOWN_CAMERA_PORTS)
    if section.scan_range:
        low, high = section.scan_range
        candidates |= set(range(low, high + 1))
    host = device.device.host  # only ever the device's own address
    result = scan(
        host,
        sorted(candidates),
        timeout=float(params.get("connect_timeout_s", 1.0)),
        budget_s=float(params.get("budget_s", 60.0)),
    )
    evidence.claim("declared_open_ports", sorted(section.open_ports))
    scanned = {
        "host": host,
        "candidates": len(candidates),
        "open": result.open,
        "unprobed": len(result.unprobed),
        "seconds": result.seconds,
    }
    evidence.measure("scan", scanned)
    # What the device's TCP stack answered (a connect scan has no payload to keep).
    evidence.attach_json("port-scan", {**scanned, "probed": sorted(candidates)})
    problems = check_ports(result.open, section.open_ports)
    if result.unprobed and not problems:
        raise Inconclusive(f"scan budget spent with {len(result.unprobed)} ports unprobed")
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("SEC-FW-01")
def test_firmware_reported_and_declared(device, evidence, conformance_run):
    info = device.cached(
        "device_information", lambda: device.call("devicemgmt", "GetDeviceInformation")
    )
    reported = getattr(info, "FirmwareVersion", None)
    declared = conformance_run.target.spec.firmware
    evidence.measure("firmware_reported", reported)
    evidence.claim("firmware_declared", declared)
    problems = check_firmware(reported, declared)
    assert not problems, "; ".join(problems)


DECLARED = {
    "SEC-DECL-BOOT-01": ("secure boot", "secure_boot"),
    "SEC-DECL-FWSIGN-01": ("signed firmware", "signed_firmware"),
    "SEC-DECL-VULN-01": ("vulnerability disclosure", "vulnerability_disclosure"),
    "SEC-DECL-SUPPORT-01": ("security support period", "support_period"),
    "SEC-DECL-PSTI-01": ("PSTI statement of compliance", "psti_statement"),
}


def _declared(requirement: str, evidence, conformance_run) -> None:
    topic, field = DECLARED[requirement]
    answer = getattr(conformance_run.target.spec.declaration.security, field)
    evidence.claim(field, answer or None)
    not_tested(declared_reason(topic, answer))


@pytest.mark.requirement("SEC-DECL-BOOT-01")
def test_declared_secure_boot(device, evidence, conformance_run):
    _declared("SEC-DECL-BOOT-01", evidence, conformance_run)


@pytest.mark.requirement("SEC-DECL-FWSIGN-01")
def test_declared_signed_firmware(device, evidence, conformance_run):
    _declared("SEC-DECL-FWSIGN-01", evidence, conformance_run)


@pytest.mark.requirement("SEC-DECL-VULN-01")
def test_declared_vulnerability_disclosure(device, evidence, conformance_run):
    _declared("SEC-DECL-VULN-01", evidence, conformance_run)


@pytest.mark.requirement("SEC-DECL-SUPPORT-01")
def test_declared_support_period(device, evidence, conformance_run):
    _declared("SEC-DECL-SUPPORT-01", evidence, conformance_run)


@pytest.mark.requirement("SEC-DECL-PSTI-01")
def test_declared_psti_statement(device, evidence, conformance_run):
    _declared("SEC-DECL-PSTI-01", evidence, conformance_run)
