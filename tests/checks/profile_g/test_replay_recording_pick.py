"""The recording the replay checks play is found by Recording Search (FindRecordings,
GetRecordingSearchResults until Completed, EndSearch), as ONVIF's REPLAY-3-1-x cases find it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance.suites.recording_search.profile_g_helpers import replay_recording


class _Device:
    """Answers the search and recording calls from fixed lists; records what was called."""

    def __init__(self, found: list[str], listed: list[str] | None) -> None:
        self.found, self.listed, self.calls = found, listed, []

    def offers(self, service: str) -> bool:
        return service != "recording" or self.listed is not None

    def cached(self, key, compute, judge=""):
        return compute()

    def call(self, service: str, operation: str, **_: object):
        self.calls.append(operation)
        if operation == "FindRecordings":
            return SimpleNamespace(SearchToken="s1")
        if operation == "GetRecordingSearchResults":
            infos = [SimpleNamespace(RecordingToken=t) for t in self.found]
            return SimpleNamespace(
                ResultList=SimpleNamespace(RecordingInformation=infos, SearchState="Completed")
            )
        if operation == "GetRecordings":
            return [SimpleNamespace(RecordingToken=t) for t in self.listed or []]
        return None


def test_found_recording_listed_first_by_get_recordings_is_replayed() -> None:
    device = _Device(found=["a", "b"], listed=["b", "c"])
    assert replay_recording(device) == "b"
    assert device.calls[:3] == ["FindRecordings", "GetRecordingSearchResults", "EndSearch"]


def test_without_recording_control_the_first_found_is_replayed() -> None:
    assert replay_recording(_Device(found=["x", "y"], listed=None)) == "x"


def test_nothing_found_is_a_device_fault() -> None:
    with pytest.raises(AssertionError, match="FindRecordings found no recording"):
        replay_recording(_Device(found=[], listed=["b"]))
