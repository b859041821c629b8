"""Unknown-token fault checks (ONVIF-FAULT-*) judged on the answers a device can give: the fault
of the operation's fault table, a success, an HTTP error, another fault, and the legal variants
(prefixes resolved by the client to the same namespace, an alternative subcode, an optional
operation not implemented)."""

from __future__ import annotations

import pytest

from conformance.checks.device import Refusal
from conformance.checks.faults import (
    IMAGING_PROBES,
    MEDIA2_PROBES,
    MEDIA_PROBES,
    RECORDING_PROBES,
    REPLAY_PROBES,
    SEARCH_PROBES,
    TOKEN_MAX_LENGTH,
    Probe,
    check_invalid_token,
    check_invalid_tokens,
    describe,
    invalid_token,
)

ENV = "http://www.w3.org/2003/05/soap-envelope"
TER = "http://www.onvif.org/ver10/error"
GET_PROFILE = MEDIA_PROBES[0]
TRACK = RECORDING_PROBES[1]
MOVE_OPTIONS = IMAGING_PROBES[2]


def fault(*subcodes: str, code: str = "Sender", status: int = 400) -> Refusal:
    return Refusal(
        "fault",
        http_status=status,
        code=f"{{{ENV}}}{code}",
        subcodes=tuple(f"{{{TER}}}{s}" for s in subcodes),
    )


def test_the_token_is_random_and_fits_a_reference_token() -> None:
    first, second = invalid_token(), invalid_token()
    assert first != second
    assert first.startswith("cctv-conformance-nonexistent-")
    assert len(first) <= TOKEN_MAX_LENGTH


@pytest.mark.parametrize(
    "probe",
    [*MEDIA_PROBES, *MEDIA2_PROBES, *IMAGING_PROBES, *RECORDING_PROBES, *SEARCH_PROBES,
     *REPLAY_PROBES],
    ids=lambda p: p.label,
)  # fmt: skip
def test_the_documented_fault_passes(probe: Probe) -> None:
    assert check_invalid_token(probe, fault("InvalidArgVal", probe.subcodes[0])) == []
    assert check_invalid_token(probe, fault("InvalidArgVal", probe.subcodes[0], status=500)) == []


def test_either_subcode_the_table_allows_passes() -> None:
    assert check_invalid_token(TRACK, fault("InvalidArgVal", "NoRecording")) == []
    assert check_invalid_token(TRACK, fault("InvalidArgVal", "NoTrack")) == []


def test_a_success_fails_naming_it() -> None:
    (problem,) = check_invalid_token(GET_PROFILE, Refusal("answered", http_status=200))
    assert "Media GetProfile accepted a token the device never issued" in problem
    assert "ter:NoProfile" in problem


def test_an_http_error_without_a_fault_fails() -> None:
    (problem,) = check_invalid_token(GET_PROFILE, Refusal("http", http_status=400))
    assert "HTTP 400 without a SOAP fault" in problem


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (fault("InvalidArgVal"), "env:Sender/ter:InvalidArgVal"),  # the specific subcode missing
        (fault("InvalidArgVal", "NoConfig"), "ter:NoConfig"),  # another table's subcode
        (fault("NoProfile"), "env:Sender/ter:NoProfile"),  # the generic subcode missing
        (fault("InvalidArgVal", "NoProfile", code="Receiver"), "env:Receiver"),  # wrong code
        (fault("ActionNotSupported", code="Receiver"), "ter:ActionNotSupported"),
    ],
)
def test_another_fault_fails_naming_what_came_back(answer: Refusal, shown: str) -> None:
    (problem,) = check_invalid_token(GET_PROFILE, answer)
    assert shown in problem
    assert "expected env:Sender/ter:InvalidArgVal/ter:NoProfile" in problem


def test_a_subcode_of_another_namespace_is_not_the_onvif_one() -> None:
    foreign = Refusal(
        "fault",
        code=f"{{{ENV}}}Sender",
        subcodes=(f"{{{TER}}}InvalidArgVal", "{urn:vendor}NoProfile"),
    )
    assert check_invalid_token(GET_PROFILE, foreign)


def test_an_optional_operation_not_implemented_is_not_judged() -> None:
    not_implemented = fault("ActionNotSupported", code="Receiver", status=500)
    assert check_invalid_token(MOVE_OPTIONS, not_implemented) == []
    problems, measured = check_invalid_tokens([(MOVE_OPTIONS, not_implemented)])
    assert problems == []
    assert "not implemented: not judged" in measured["Imaging GetMoveOptions"]
    # ... but the mandatory operations must fault properly
    assert check_invalid_token(IMAGING_PROBES[0], not_implemented)


def test_every_answer_is_measured_and_every_problem_reported() -> None:
    answers = [
        (SEARCH_PROBES[0], Refusal("answered", http_status=200)),
        (SEARCH_PROBES[2], fault("InvalidArgVal", "InvalidToken")),
    ]
    problems, measured = check_invalid_tokens(answers)
    assert measured == {
        "Recording Search GetRecordingSearchResults": "a success reply",
        "Recording Search EndSearch": "SOAP fault env:Sender/ter:InvalidArgVal/ter:InvalidToken",
    }
    assert len(problems) == 1 and "GetRecordingSearchResults" in problems[0]


def test_describe_keeps_unknown_namespaces_in_clark_notation() -> None:
    answer = Refusal("fault", code=f"{{{ENV}}}Sender", subcodes=("{urn:x}Odd",))
    assert describe(answer) == "SOAP fault env:Sender/{urn:x}Odd"
