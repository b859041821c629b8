"""Service capabilities, checked the way ONVIF's device test cases do (ONVIF-CAP-*).

Every answer these checks judge is asked through the device's cached answers
(:meth:`DeviceUnderTest.service_capabilities`, :meth:`~DeviceUnderTest.services_with_capabilities`)
or in the test's own thread, so each verdict's transcript shows the exchanges behind it.
"""

from __future__ import annotations

import pytest

from conformance.checks.capabilities import (
    SERVICE_KEYS,
    SERVICE_LABELS,
    check_capabilities_consistent,
    check_legacy_capabilities,
    check_service_capabilities,
    expected_categories,
    legacy_categories,
    services_capabilities,
)
from conformance.clients.onvif import OnvifError, OnvifFault, OnvifHttpError


def _offered(device, evidence) -> list[str]:
    """The namespaces GetServices lists that these checks ask, each service offered noted."""
    listed = [str(s.Namespace) for s in device.services()]
    asked = [ns for ns in SERVICE_KEYS if ns in listed]
    absent = [SERVICE_LABELS[SERVICE_KEYS[ns]] for ns in SERVICE_KEYS if ns not in listed]
    evidence.measure("services asked", [SERVICE_LABELS[SERVICE_KEYS[ns]] for ns in asked])
    if absent:
        evidence.note("not applicable (GetServices does not list them): " + ", ".join(absent))
    others = [ns for ns in listed if ns not in SERVICE_KEYS]
    if others:
        evidence.note("not judged here (no ONVIF capability test case): " + ", ".join(others))
    return asked


def _answers(device, namespaces):
    """GetServiceCapabilities of each service; an address that cannot be reached (judged by
    ONVIF-DEV-XADDR-01) or a timeout is raised once the others have been asked."""
    answers, unreached = [], []
    for namespace in namespaces:
        try:
            answers.append(device.service_capabilities(namespace))
        except OnvifError as exc:
            unreached.append(exc)
    return answers, unreached


@pytest.mark.requirement("ONVIF-CAP-SVC-01")
def test_every_service_answers_get_service_capabilities(device, evidence):
    answers, unreached = _answers(device, _offered(device, evidence))
    evidence.measure(
        "GetServiceCapabilities",
        {SERVICE_LABELS[SERVICE_KEYS[a.namespace]]: a.problem or "answered" for a in answers},
    )
    evidence.expect("GetServiceCapabilities", "a readable reply from every listed service")
    for answer in answers:
        if answer.schema_violation:
            evidence.note(
                f"{SERVICE_LABELS[SERVICE_KEYS[answer.namespace]]}: read leniently "
                f"({answer.schema_violation}); judged by ONVIF-DEV-SCHEMA-01"
            )
    problems = check_service_capabilities(answers)
    assert not problems, "; ".join(problems)
    if unreached:
        raise unreached[0]


@pytest.mark.requirement("ONVIF-CAP-CONSIST-01")
def test_get_services_capabilities_agree(device, evidence):
    answers, unreached = _answers(device, _offered(device, evidence))
    listed = services_capabilities(device.services_with_capabilities())
    problems, notes = check_capabilities_consistent(listed, answers)
    for note in notes:
        evidence.note(note)
    evidence.measure(
        "services compared",
        [
            SERVICE_LABELS[SERVICE_KEYS[a.namespace]]
            for a in answers
            if not a.problem and listed.get(a.namespace) is not None
        ],
    )
    evidence.expect("GetServices capabilities", "the same as each GetServiceCapabilities")
    assert not problems, "; ".join(problems)
    if unreached:
        raise unreached[0]
    if not any(not a.problem and listed.get(a.namespace) is not None for a in answers):
        from conformance.outcomes import blocked

        blocked("ONVIF-CAP-SVC-01", "no service's GetServiceCapabilities could be compared")


def _legacy(device, **params) -> dict[str, str | None] | str:
    """GetCapabilities in this test's thread: category -> XAddr, or the failure's text."""
    try:
        device.onvif.call("devicemgmt", "GetCapabilities", **params)
    except (OnvifFault, OnvifHttpError) as exc:
        return f"{type(exc).__name__}: {exc}"
    import threading

    mine = threading.get_ident()
    exchange = next(x for x in reversed(device.onvif.exchanges) if x.thread_id == mine)
    return legacy_categories(exchange.response_xml)


@pytest.mark.requirement("ONVIF-CAP-LEGACY-01")
def test_get_capabilities_categories(device, evidence):
    namespaces = [str(s.Namespace) for s in device.services()]
    wanted = expected_categories(namespaces)
    evidence.expect("categories", wanted)
    all_reply = _legacy(device, Category=["All"])
    if isinstance(all_reply, str):
        pytest.fail(f"GetCapabilities(All) failed: {all_reply}")
    evidence.measure("GetCapabilities(All)", all_reply)
    per_category = {category: _legacy(device, Category=[category]) for category in wanted}
    evidence.measure(
        "GetCapabilities(Category)",
        {c: (a if isinstance(a, str) else sorted(a)) for c, a in per_category.items()},
    )
    problems = check_legacy_capabilities(namespaces, all_reply, per_category)
    assert not problems, "; ".join(problems)
