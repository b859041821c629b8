"""No check passes on nothing (issue 14): every check function of ``conformance/checks`` is
called with an empty device reply (no items, no value, nothing measured) and must not say
"conformant". Not-pass is a non-empty list of problems, a (problems, judged) pair with nothing
judged (the suite then reports not_applicable with the reason), or an Inconclusive raised.

A new check function must be added to NOTHING (or, with the reason, to EXEMPT): the test fails
on any check it does not know, so a check that passes on nothing cannot slip in unnoticed.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import conformance.checks
from conformance.checks.consistency import ConfigurationViews
from conformance.checks.device import Refusal
from conformance.checks.device_config import Read, Served
from conformance.checks.event_filters import Probe
from conformance.checks.export_alignment import Alignment
from conformance.checks.media2 import Media2Profile
from conformance.checks.streaming import ParallelSession
from conformance.checks.vms_continuity import Walk
from conformance.checks.vms_metadata import Stated
from conformance.clients.export_media import MediaFacts
from conformance.outcomes import Inconclusive

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _answered(operation: str, view: Any) -> Read:
    return Read(operation, Refusal("answered", http_status=200), view)


NOTHING: dict[str, Callable[[Any], Any]] = {
    # audio
    "audio.check_views_agree": lambda f: f("source", [], []),
    "audio.check_use_counts": lambda f: f([], {}),
    "audio.check_within_options": lambda f: f("encoder", {}, {}),
    "audio.check_decoder_options": lambda f: f("adc_1", {}),
    "audio.check_physical_tokens": lambda f: f("source", [], []),
    # codecs
    "codecs.check_codec_honesty": lambda f: f([]),
    "codecs.check_h265_stream": lambda f: f(None, 0, 0, None, (1280, 720), 1),
    # capabilities
    "capabilities.check_capabilities_consistent": lambda f: f({}, []),
    "capabilities.check_legacy_capabilities": lambda f: f([], {}, {}),
    "capabilities.check_service_capabilities": lambda f: f([]),
    # event filters
    "event_filters.check_topic_filtered": lambda f: f("one topic", "tns1:A/B", [], ()),
    "event_filters.check_content_filtered": lambda f: f("Source", "vs", [], ()),
    "event_filters.check_filter_refused": lambda f: f(
        Probe("probe", "fault"), ("InvalidFilterFault",)
    ),
    "event_filters.check_terminated": lambda f: f("", None),
    # faults
    "faults.check_invalid_tokens": lambda f: f([]),
    # options
    "options.check_encoder_within_options": lambda f: f({}, {}),
    "options.check_source_within_options": lambda f: f({}, {}),
    # consistency
    "consistency.check_profile_gets": lambda f: f({}, {}),
    "consistency.check_configuration_views": lambda f: f(
        ConfigurationViews("video source", {}, {}, {})
    ),
    "consistency.check_source_tokens": lambda f: f({}, []),
    "consistency.check_profile_copies": lambda f: f("PTZ", "GetConfigurations", {}, {}),
    "consistency.check_guaranteed_instances": lambda f: f({}, set()),
    # search_paging
    "search_paging.check_run": lambda f: f({"label": "FindRecordings", "pages": []}),
    "search_paging.check_recording_runs": lambda f: f([], None),
    "search_paging.check_event_runs": lambda f: f({"label": "FindEvents", "pages": []}, []),
    "search_paging.check_filter": lambda f: f("filter", ["Video"], [], [], ""),
    "search_paging.check_ended": lambda f: f({}, []),
    "search_paging.check_lifetimes": lambda f: f({}),
    # device
    "device.check_clock": lambda f: f(None, None, 0.5, 5.0),
    "device.check_identity": lambda f: f({}),
    "device.check_scopes": lambda f: f([]),
    "device.check_service_entries": lambda f: f([]),
    "device.check_services_consistent": lambda f: f({}, {}),
    "device.check_xaddrs": lambda f: f("http://192.0.2.1/onvif/device_service", {}),
    # device_config
    "device_config.check_dns": lambda f: f({}),
    "device_config.check_dynamic_dns": lambda f: f({}),
    "device_config.check_interfaces": lambda f: f([], ""),
    "device_config.check_io_reads": lambda f: f(
        *(_answered(op, None) for op in ("GetSystemLog", "GetRemoteUser", "GetIPAddressFilter")),
        _answered("GetRelayOutputs", []),
        None,
    ),
    "device_config.check_network_reads": lambda f: f({}, "", Served()),
    "device_config.check_ntp": lambda f: f({}),
    "device_config.check_protocols": lambda f: f([], Served()),
    "device_config.check_users": lambda f: f(_answered("GetUsers", [])),
    # discovery_ws
    "discovery_ws.check_probe_answered": lambda f: f(0, 0, [], 1.0),
    "discovery_ws.check_scopes": lambda f: f([], []),
    "discovery_ws.check_typed_probe": lambda f: f(False, "dn:NetworkVideoTransmitter"),
    "discovery_ws.check_types": lambda f: f(
        [], [("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter")]
    ),
    "discovery_ws.check_xaddrs": lambda f: f([], "http://192.0.2.1/onvif/device_service"),
    # export
    "export.check_aligned": lambda f: f({}, T0, 1.0),
    "export.check_audit": lambda f: f([], "job", "user", "cam"),
    "export.check_frames": lambda f: f([], 25.0),
    "export.check_hashes": lambda f: f({}, {}),
    "export.check_identity": lambda f: f({}, "cam", {}),
    "export.check_plays": lambda f: f([]),
    "export.check_range": lambda f: f(T0, T0, 1.0, (T0, T0)),
    "export.check_speed": lambda f: f(0.0, 0.0, 1.0),
    "export.check_tamper_detected": lambda f: f({}, []),
    "export.check_utc": lambda f: f({}, {}, 1.0),
    "export_oeff.check_oeff": lambda f: f(b""),
    # export_alignment
    "export_alignment.check_complete": lambda f: f(Alignment()),
    "export_alignment.check_identical": lambda f: f(Alignment()),
    # VMS (issue 15's requirements)
    "vms_clock.clock_problems": lambda f: f(None, None, T0, 0.0, 0.0, 2.0),
    "vms_continuity.continuity_problems": lambda f: f(Walk(), "recordings"),
    "vms_ingest.audit_problems": lambda f: f([], [], 0, "2026-01-01T00:00:00Z"),
    "vms_ingest.transport_problems": lambda f: f("udp", []),
    "vms_metadata.metadata_problems": lambda f: f(
        Stated(None, None, None, T0, T0), MediaFacts(path="none.mp4"), 10.0, 1.0
    ),
    "vms_recovery.export_gap_problems": lambda f: f([], 10.0, 1.0),
    "vms_recovery.recovery_problems": lambda f: f(T0, T0, [], 1.0, 10.0),
    # sdp
    "sdp.check_sdp": lambda f: f(""),
    # imaging
    "imaging.check_osd_created": lambda f: f("osd", "text", []),
    "imaging.check_osds_consistent": lambda f: f(
        [], {"types": [], "max_total": None, "positions": []}
    ),
    "imaging.check_settings_within_options": lambda f: f({}, {}),
    "imaging_move.check_move_options": lambda f: f(None),
    "imaging.check_value_applied": lambda f: f("Brightness", 50.0, None, 1.0),
    # media
    "media.check_live": lambda f: f([], 24.0),
    "media.check_profiles": lambda f: f([]),
    "media.check_snapshot": lambda f: f(200, False),
    "media.check_uri": lambda f: f("stream", "", "192.0.2.1", ("rtsp",)),
    # media2
    "media2.check_media2_profiles": lambda f: f([]),
    "media2.check_media2_uris": lambda f: f({}, {}, "192.0.2.1"),
    "media2.check_snapshot_served": lambda f: f("p", 200, "", False),
    "media2.check_ready_profile_streams": lambda f: f(
        Media2Profile("p", "", False, None), [], [], 0, None
    ),
    # media2_config
    "media2_config.check_source_configurations": lambda f: f([]),
    "media2_config.check_source_options": lambda f: f({}),
    "media2_config.check_encoder_options": lambda f: f([], "H264"),
    "media2_config.check_profiles_agree_with_listing": lambda f: f("video source", {}, []),
    "media2_config.check_source_modes": lambda f: f("vs", []),
    "media2_config.check_encoder_instances": lambda f: f("vsc", {}),
    # ptz
    "ptz_config.check_consistency": lambda f: f([], {}, [], {}, {}),
    "ptz.check_continuous": lambda f: f((None,) * 3, (None,) * 3, (None,) * 3, 0.05),
    "ptz.check_generic_ranges": lambda f: f([]),
    "ptz.check_nodes": lambda f: f([], {}),
    "ptz.check_preset_round_trip": lambda f: f("t", [], [], []),
    "ptz.check_reached": lambda f: f("move", (None,) * 3, (0.5, 0.5, 0.5), 0.02),
    "ptz.check_status": lambda f: f(
        {"position": [None] * 3, "move_status": None, "utc_time": None, "utc_offset_s": None},
        {"MoveStatus": None, "StatusPosition": None},
        {},
    ),
    # recording
    "recording.check_event_search": lambda f: f([], [], 0.0, 10.0),
    "recording.check_extension": lambda f: f([], 1),
    "recording.check_found_recordings": lambda f: f([], None, None),
    "recording.check_gaps": lambda f: f([], []),
    "recording.check_range": lambda f: f([], 0.0, 10.0, 2.0, 1.0, 1.0),
    "recording.check_rate": lambda f: f(0.0, 0.0, 2.0, False),
    "recording.check_recording_info": lambda f: f(
        {"earliest": None, "latest": None}, [], {}, 1.0, 0.1
    ),
    "recording.check_recording_list": lambda f: f({}, {}, {}, {}),
    "recording.check_reverse": lambda f: f([]),
    "recording.check_summary": lambda f: f(
        {"number": None, "data_from": None, "data_until": None}, 0.0, 1.0
    ),
    "recording.check_tag": lambda f: f(False, ""),
    # replay modes
    "replay_modes.check_immediate": lambda f: f([], 5, 0.0, 2.0, 2.0, 1.5, 0.1),
    "replay_modes.check_intra_only": lambda f: f([]),
    "replay_modes.check_pause_resume": lambda f: f([], 5, 0, 2.0, 1.0),
    # security
    "security.check_default_credentials": lambda f: f({}),
    "security.check_firmware": lambda f: f(None, "1.0"),
    "security.check_lockout": lambda f: f(False, [], 3.0, 0.5),
    "security.check_rtsp_anonymous": lambda f: f(None),
    "security.check_tls": lambda f: f({}),
    # streaming
    "streaming.check_continuity": lambda f: f(0, None, access_units=0),
    "streaming.check_format": lambda f: f(None, None, "H264", (1280, 720), [], []),
    "streaming.check_frame_rate": lambda f: f(None, None, 25.0, [], 10.0),
    "streaming.check_parallel_sessions": lambda f: f(ParallelSession(), ParallelSession(), 25, 10),
    "streaming.check_playable": lambda f: f(0, 0, None),
    "streaming.check_timestamps": lambda f: f(0, 0),
    # transports
    "transports.check_keepalive": lambda f: f(None, 0, [], 2),
    "transports.check_tunnel_describe": lambda f: f(None, ""),
    "transports.check_multicast_sdp": lambda f: f([]),
    "transports.check_multicast_received": lambda f: f(0, 0, "239.255.0.1"),
    # vms_ingest
    "vms_ingest.capture_problems": lambda f: f(False, None, 25.0, 10.0),
    "vms_ingest.coverage_problems": lambda f: f([], 2.0),
    "vms_ingest.search_problems": lambda f: f([], ["rec-1"], []),
    "vms_ingest.trace_problems": lambda f: f([]),
}

REFUSAL = "takes a Refusal, the record of an answer: an empty reply raises before it exists"
EXEMPT: dict[str, str] = {
    "device.check_fault_status": "judges the status of a fault already received, not a reply",
    "device.check_bad_credentials": REFUSAL,
    "device.check_refused": REFUSAL,
    "faults.check_invalid_token": REFUSAL,
    "security.check_no_basic": REFUSAL,
    "security.check_privilege": REFUSAL,
    "security.check_replay_rejected": REFUSAL,
    "security.check_stale_created": REFUSAL,
    "security.check_snapshot_anonymous": "one part of SEC-NOANON-01, whose RTSP part is always "
    "judged (check_rtsp_anonymous)",
    "security.check_ports": "KNOWN GAP (lead): an empty scan passes; whether the device's own "
    "ONVIF port is always among the candidates must be settled before it may fail",
    "export.check_key_published": "an unsigned package is EXPORT-SIG-01's finding, not this "
    "check's",
    "imaging.check_osd_deleted": "an empty list after DeleteOSD is the expected evidence",
    "media.check_encoder_listed": "takes the profile's encoder, which the caller must have",
    "media.check_snapshot_format": "a should-level finding on a snapshot SNAP-01 already got",
    "media2.check_encoder_within_options": "takes one encoder and its options (never empty)",
    "ptz_config.check_configuration_against_options": "takes one configuration and its options "
    "(never empty: check_consistency fails on no configuration)",
    "ptz_config.check_unknown_node_fault": REFUSAL,
    "imaging_invalid.check_invalid_setting_refused": REFUSAL,
    "imaging_move.check_focus_status": "without focus moves GetStatus is not required; the "
    "move options themselves are judged by check_move_options, which fails on no answer",
    "vms_ingest.media_problems": "takes measured media facts (a recording, never empty)",
    "vms_ingest.export_problems": "takes the recorded media's facts (never empty)",
    "vms_ingest.evidence_package_problems": "findings only (VMS-EXPORT-EVIDENCE-01, a should)",
    "export.check_native": "takes the recording's format (never empty)",
    "export.check_gaps": "no gap recorded and none reported is the conformant answer",
    "events.*": "tests/checks/events/test_event_checks.py::test_no_check_passes_on_nothing",
    "event_payloads.*": "tests/checks/events/test_event_checks.py::test_no_check_passes_on_nothing",
}


def _check_functions() -> dict[str, Callable[..., Any]]:
    found = {}
    for info in pkgutil.iter_modules(conformance.checks.__path__):
        module = importlib.import_module(f"conformance.checks.{info.name}")
        for name, func in inspect.getmembers(module, inspect.isfunction):
            is_check = name.startswith("check_") or name.endswith("_problems")
            is_check = is_check and not name.startswith("_")
            if is_check and func.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = func
    return found


def _exempt(key: str) -> bool:
    return key in EXEMPT or f"{key.split('.')[0]}.*" in EXEMPT


def test_every_check_function_is_covered():
    unknown = sorted(k for k in _check_functions() if k not in NOTHING and not _exempt(k))
    assert not unknown, f"add to NOTHING (or EXEMPT with the reason): {unknown}"
    gone = sorted(k for k in NOTHING if k not in _check_functions())
    assert not gone, f"no longer check functions: {gone}"


def _passes(result: Any) -> bool:
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], int):
        problems, judged = result
        return not problems and judged > 0
    return not result


@pytest.mark.parametrize("key", sorted(NOTHING))
def test_check_does_not_pass_on_nothing(key):
    func = _check_functions()[key]
    try:
        result = NOTHING[key](func)
    except Inconclusive:
        return
    assert not _passes(result), f"{key} passed on an empty reply: {result!r}"
    if isinstance(result, list):
        assert all(isinstance(p, str) and p.strip() for p in result), "every problem says why"
