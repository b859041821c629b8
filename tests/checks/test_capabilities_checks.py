"""Capability checks (ONVIF-CAP-*) judged on recorded replies: the known-good camera and the
personas that break each requirement (``record_capabilities_fixtures.py``), plus hand-made
variants of those replies for the legal differences the checks must accept."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.checks.capabilities import (
    SERVICE_KEYS,
    ServiceAnswer,
    check_capabilities_consistent,
    check_legacy_capabilities,
    check_service_capabilities,
    compare_capabilities,
    legacy_categories,
    reply_capabilities,
    services_capabilities,
)

FIXTURES = Path(__file__).parent / "fixtures" / "capabilities"
NS_IMAGING = "http://www.onvif.org/ver20/imaging/wsdl"


def _xml(device: str, name: str) -> str:
    return (FIXTURES / device / f"{name}.xml").read_text()


def _answers(device: str) -> list[ServiceAnswer]:
    """The answers as :meth:`DeviceUnderTest.service_capabilities` builds them."""
    answers = []
    for namespace in services_capabilities(_xml(device, "GetServices-caps")):
        key = SERVICE_KEYS.get(namespace)
        if key is None:
            continue
        xml = _xml(device, f"GetServiceCapabilities-{key}")
        if "Fault>" in xml:
            answers.append(ServiceAnswer(namespace, problem="OnvifFault: ter:ActionNotSupported"))
        else:
            answers.append(ServiceAnswer(namespace, xml))
    return answers


def _legacy(device: str) -> tuple[list[str], dict, dict]:
    namespaces = list(services_capabilities(_xml(device, "GetServices-caps")))
    all_reply = legacy_categories(_xml(device, "GetCapabilities-All"))
    imaging = _xml(device, "GetCapabilities-Imaging")
    per = {
        "Imaging": "OnvifFault: NoSuchService"
        if "Fault>" in imaging
        else legacy_categories(imaging)
    }
    return namespaces, all_reply, per


def test_good_camera_passes_every_capability_check():
    answers = _answers("good")
    assert len(answers) == 9  # device, media, media2, events, ptz, imaging and Profile G
    assert check_service_capabilities(answers) == []
    listed = services_capabilities(_xml("good", "GetServices-caps"))
    problems, notes = check_capabilities_consistent(listed, answers)
    assert problems == [] and notes == []
    assert check_legacy_capabilities(*_legacy("good")) == []


def test_service_caps_fault_fails_svc_only():
    answers = _answers("service-caps-fault")
    problems = check_service_capabilities(answers)
    assert len(problems) == 1 and problems[0].startswith("Imaging service")
    listed = services_capabilities(_xml("service-caps-fault", "GetServices-caps"))
    problems, notes = check_capabilities_consistent(listed, answers)
    assert problems == []
    assert notes == ["Imaging: not compared, GetServiceCapabilities gave no capabilities"]
    assert check_legacy_capabilities(*_legacy("service-caps-fault")) == []


def test_inconsistent_media2_capabilities_fail_consistency_only():
    answers = _answers("service-caps-inconsistent")
    assert check_service_capabilities(answers) == []
    listed = services_capabilities(_xml("service-caps-inconsistent", "GetServices-caps"))
    problems, _ = check_capabilities_consistent(listed, answers)
    assert problems == [
        "Media2: Capabilities@OSD: GetServices says 'false', GetServiceCapabilities 'true'",
        "Media2: Capabilities@Rotation: GetServices says 'true', GetServiceCapabilities 'false'",
    ]
    assert check_legacy_capabilities(*_legacy("service-caps-inconsistent")) == []


def test_missing_legacy_category_fails_legacy_only():
    device = "capabilities-category-missing"
    answers = _answers(device)
    assert check_service_capabilities(answers) == []
    listed = services_capabilities(_xml(device, "GetServices-caps"))
    assert check_capabilities_consistent(listed, answers)[0] == []
    problems = check_legacy_capabilities(*_legacy(device))
    assert len(problems) == 2
    assert "GetCapabilities(All) has no Imaging category" in problems[0]
    assert "GetCapabilities(Category=Imaging) failed" in problems[1]


def _caps(xml: str):
    return reply_capabilities(
        '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
        f'<r xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:v="urn:vendor">{xml}</r>'
        "</e:Body></e:Envelope>"
    )


@pytest.mark.parametrize(
    "left, right",
    [
        # xs:boolean spellings, numbers written differently, list whitespace
        ('<tr2:Capabilities OSD="1" Rotation="false"/>', '<tr2:Capabilities OSD="true"/>'),
        (
            '<tr2:Capabilities><tr2:ProfileCapabilities MaximumNumberOfProfiles="8" '
            'ConfigurationsSupported="VideoSource  VideoEncoder"/></tr2:Capabilities>',
            '<tr2:Capabilities><tr2:ProfileCapabilities MaximumNumberOfProfiles="8.0" '
            'ConfigurationsSupported="VideoSource VideoEncoder"/></tr2:Capabilities>',
        ),
        # vendor attributes and elements (the types' wildcards) are not compared
        (
            '<tr2:Capabilities v:hint="x" OSD="true"><v:Extra A="1"/></tr2:Capabilities>',
            '<tr2:Capabilities OSD="true"/>',
        ),
    ],
)
def test_legal_differences_are_not_inconsistencies(left, right):
    assert compare_capabilities(_caps(left), _caps(right)) == []


def test_a_flag_true_in_one_reply_only_is_an_inconsistency():
    problems = compare_capabilities(
        _caps('<tr2:Capabilities SnapshotUri="true"/>'), _caps("<tr2:Capabilities/>")
    )
    assert problems == ["Capabilities@SnapshotUri='true' only in GetServices"]


def test_no_capabilities_in_get_services_at_all_is_a_fault_and_one_missing_a_note():
    answers = _answers("good")
    none = {a.namespace: None for a in answers}
    assert check_capabilities_consistent(none, answers)[0] == [
        "GetServices(IncludeCapability=true) gives no Capabilities for any service"
    ]
    listed = services_capabilities(_xml("good", "GetServices-caps"))
    listed[NS_IMAGING] = None
    problems, notes = check_capabilities_consistent(listed, answers)
    assert problems == [] and notes == [
        "Imaging: GetServices(IncludeCapability=true) gives no Capabilities"
    ]


def test_nothing_asked_is_not_a_pass():
    assert check_service_capabilities([]) != []
