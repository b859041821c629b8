"""Requests naming a token the device never issued, and the SOAP fault each must bring back
(ONVIF-FAULT-*: ONVIF's "... INVALID TOKEN" device test cases).

Each operation's fault table in its service specification gives the fault for a token that names
nothing: env:Sender / ter:InvalidArgVal / a specific subcode (ter:NoProfile, ter:NoConfig,
ter:NoSource, ter:NoRecording, ter:NoTrack, ter:NoRecordingJob, ter:InvalidToken). A check judges
the neutral :class:`~conformance.checks.device.Refusal` of each answer; codes are compared by
namespace URI (Clark notation, as the client resolves them), never by prefix. The HTTP status that
carried a fault is not judged here (see :func:`conformance.checks.device.check_fault_status`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from conformance.checks.device import ONVIF_ERROR_NS, SOAP_ENV_NS, Refusal

TOKEN_MAX_LENGTH = 64
"""tt:ReferenceToken is a string of at most 64 characters (onvif.xsd)."""


def invalid_token() -> str:
    """A token no device could have issued: random, and within tt:ReferenceToken's 64."""
    token = f"cctv-conformance-nonexistent-{secrets.token_hex(8)}"
    assert len(token) <= TOKEN_MAX_LENGTH
    return token


def _ter(local: str) -> str:
    return f"{{{ONVIF_ERROR_NS}}}{local}"


def _env(local: str) -> str:
    return f"{{{SOAP_ENV_NS}}}{local}"


def _local(qname: str) -> str:
    """``{ns}Local`` or ``prefix:Local`` -> ``Local``."""
    return qname.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _friendly(qname: str) -> str:
    if qname.startswith(f"{{{ONVIF_ERROR_NS}}}"):
        return "ter:" + _local(qname)
    if qname.startswith(f"{{{SOAP_ENV_NS}}}"):
        return "env:" + _local(qname)
    return qname


@dataclass(frozen=True)
class Probe:
    """One request with an unknown token: the service's label, the operation and the specific
    subcodes its fault table allows (any one of them passes)."""

    service: str
    key: str
    """The suite's client key of the service (``media``, ``media2``, ``imaging``...)."""
    operation: str
    subcodes: tuple[str, ...]
    optional: bool = False
    """The operation need not be implemented: env:Receiver/ter:ActionNotSupported is then a
    legal answer (ONVIF Core 5.1.2) and leaves this operation unjudged."""

    @property
    def label(self) -> str:
        return f"{self.service} {self.operation}"

    def expected(self) -> str:
        return " or ".join(f"env:Sender/ter:InvalidArgVal/ter:{s}" for s in self.subcodes)


def describe(answer: Refusal) -> str:
    """What came back, for evidence and messages."""
    if answer.kind == "answered":
        return "a success reply"
    if answer.kind == "http":
        return f"HTTP {answer.http_status} without a SOAP fault"
    chain = "/".join(_friendly(q) for q in (answer.code, *answer.subcodes) if q)
    return f"SOAP fault {chain or '(no code)'}"


def is_not_implemented(answer: Refusal) -> bool:
    """env:Receiver/ter:ActionNotSupported: the operation is not implemented (Core 5.1.2)."""
    return (
        answer.kind == "fault"
        and answer.code == _env("Receiver")
        and _ter("ActionNotSupported") in answer.subcodes
    )


def check_invalid_token(probe: Probe, answer: Refusal) -> list[str]:
    """The answer to ``probe`` is env:Sender/ter:InvalidArgVal/<one of its subcodes>."""
    wanted = f"expected {probe.expected()}"
    if answer.kind == "answered":
        return [f"{probe.label} accepted a token the device never issued ({wanted})"]
    if answer.kind != "fault":
        return [f"{probe.label} answered {describe(answer)} ({wanted})"]
    if probe.optional and is_not_implemented(answer):
        return []
    specific = [_ter(s) for s in probe.subcodes]
    complete = (
        answer.code == _env("Sender")
        and _ter("InvalidArgVal") in answer.subcodes
        and any(s in answer.subcodes for s in specific)
    )
    if complete:
        return []
    return [f"{probe.label} answered {describe(answer)} ({wanted})"]


def check_invalid_tokens(
    answers: Iterable[tuple[Probe, Refusal]],
) -> tuple[list[str], dict[str, str]]:
    """Every probe judged: the problems, and per operation what came back (for evidence)."""
    problems: list[str] = []
    measured: dict[str, str] = {}
    for probe, answer in answers:
        measured[probe.label] = describe(answer)
        if probe.optional and is_not_implemented(answer):
            measured[probe.label] += " (optional operation not implemented: not judged)"
        problems.extend(check_invalid_token(probe, answer))
    return problems, measured


# --- the probes of each requirement ---------------------------------------------------------

MEDIA_PROBES = (
    Probe("Media", "media", "GetProfile", ("NoProfile",)),
    Probe("Media", "media", "GetStreamUri", ("NoProfile",)),
    Probe("Media", "media", "GetVideoSourceConfiguration", ("NoConfig",)),
    Probe("Media", "media", "GetVideoEncoderConfiguration", ("NoConfig",)),
)
MEDIA2_PROBES = (
    Probe("Media2", "media2", "GetProfiles", ("NoProfile",)),
    Probe("Media2", "media2", "GetStreamUri", ("NoProfile",)),
    Probe("Media2", "media2", "GetVideoSourceConfigurations", ("NoConfig",)),
    Probe("Media2", "media2", "GetVideoEncoderConfigurations", ("NoConfig",)),
    Probe("Media2", "media2", "GetMetadataConfigurations", ("NoConfig",), optional=True),
)
IMAGING_PROBES = (
    Probe("Imaging", "imaging", "GetImagingSettings", ("NoSource",)),
    Probe("Imaging", "imaging", "GetOptions", ("NoSource",)),
    Probe("Imaging", "imaging", "GetMoveOptions", ("NoSource",), optional=True),
    Probe("Imaging", "imaging", "GetStatus", ("NoSource",), optional=True),
)
IMAGING_CHANGE_PROBES = (
    # One setting at its current value (or none): a device that wrongly takes the token
    # changes nothing.
    Probe("Imaging", "imaging", "SetImagingSettings", ("NoSource",)),
    # Focus Move (asked only where GetMoveOptions offers a move: speed or distance 0) and Stop
    # are for devices with remote focus; ActionNotSupported is legal from the others.
    Probe("Imaging", "imaging", "Move", ("NoSource",), optional=True),
    Probe("Imaging", "imaging", "Stop", ("NoSource",), optional=True),
)
"""ONVIF-FAULT-IMAGING-02 (lab mode: ACTUATE operations, which a read-only account may not
send); each is chosen so that a device that wrongly takes the unknown token changes nothing."""
RECORDING_PROBES = (
    Probe("Recording Control", "recording", "GetRecordingConfiguration", ("NoRecording",)),
    # Both tokens are unknown: either the recording or the track is the one not found.
    Probe("Recording Control", "recording", "GetTrackConfiguration", ("NoRecording", "NoTrack")),
    Probe("Recording Control", "recording", "GetRecordingJobConfiguration", ("NoRecordingJob",)),
    Probe("Recording Control", "recording", "GetRecordingJobState", ("NoRecordingJob",)),
)
SEARCH_PROBES = (
    Probe("Recording Search", "search", "GetRecordingSearchResults", ("InvalidToken",)),
    Probe("Recording Search", "search", "GetEventSearchResults", ("InvalidToken",)),
    Probe("Recording Search", "search", "EndSearch", ("InvalidToken",)),
)
REPLAY_PROBES = (Probe("Replay", "replay", "GetReplayUri", ("NoRecording",)),)
