"""Personas: recording search and replay quirks (family Q30 of the research notes: replay and
recording access only through proprietary paths, Profile G gaps; Q2 for local time as UTC).

Every persona here is a recording camera, since a Profile G quirk needs recordings to show.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

RECORDING_CAMERA = {"record": True}

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "replay-no-onvif-tag",
        "Replay answers 551 Option not supported to Require: onvif-replay (works without it)",
        ("REPLAY-TAG-01",),
        "Q30: replay only through proprietary paths, e.g. Hikvision NVR playback "
        "rtsp://.../Streaming/tracks/101?starttime=... (CamioCam/rtsp#181); simulation knob "
        "reply_551_onvif_replay",
        knobs=Knobs(replay_no_onvif_tag=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "replay-range-ignored",
        "PLAY ignores Range: clock=, so every replay starts at the live edge of the recording",
        # Nothing in the past can be replayed: the range check fails, a window never completes
        # (Rate-Control is judged on that window), a reported gap cannot be replayed and the
        # recorded times cannot be confirmed.
        # Over the HTTP tunnel and UDP alike (REPLAY-HTTP-01, -UDP-01 judge the range there),
        # and the range of a PLAY with Immediate: yes (REPLAY-IMMEDIATE-01); a PLAY resuming
        # after PAUSE starts at the live edge too, not at the pause point (REPLAY-PAUSE-01).
        (
            "REPLAY-RANGE-01",
            "REPLAY-RATE-01",
            "REPLAY-GAP-01",
            "SEARCH-INFO-01",
            "REPLAY-HTTP-01",
            "REPLAY-UDP-01",
            "REPLAY-IMMEDIATE-01",
            "REPLAY-PAUSE-01",
        ),
        "Q30: 'the video played at the live and not my playback time' (deepch/vdk PR #111, "
        "mpromonet/webrtc-streamer#390)",
        knobs=Knobs(replay_range_ignored=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "replay-ignores-range-end",
        "A closed Range: clock=start-end starts right but plays on past its end",
        # Over every transport, and the range of a PLAY with Immediate: yes alike.
        ("REPLAY-RANGE-01", "REPLAY-HTTP-01", "REPLAY-UDP-01", "REPLAY-IMMEDIATE-01"),
        "Q30: Hikvision NVR playback 'starts with the passed start time but not stopping at the "
        "end time' (CamioCam/rtsp#181)",
        knobs=Knobs(replay_ignores_range_end=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "replay-no-abac",
        "Replay RTP carries no 0xABAC header extension",
        # Without the extension no replayed time can be read: every check judged from it fails.
        (
            "REPLAY-EXT-01",
            "REPLAY-RANGE-01",
            "REPLAY-REVERSE-01",
            "REPLAY-RATE-01",
            "REPLAY-GAP-01",
            "SEARCH-INFO-01",
            "REPLAY-HTTP-01",
            "REPLAY-HTTP-REVERSE-01",
            "REPLAY-UDP-01",
            "REPLAY-UDP-REVERSE-01",
            "REPLAY-IMMEDIATE-01",
            "REPLAY-PAUSE-01",
        ),
        "Q30: no standard 0xABAC on some streams, Axis needs onvifreplayext=1 (onvif/specs#516); "
        "simulation knob omit_abac_ext",
        knobs=Knobs(replay_no_abac=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "replay-abac-no-c-flag",
        "The 0xABAC extension never sets the C (clean point) flag, keyframes included",
        ("REPLAY-EXT-01",),
        "Q30: 'the extension in record playback to have the image timestamp ... really a mess' "
        "(ngraziano/SharpRTSP PR #106)",
        knobs=Knobs(replay_abac_no_c_flag=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "replay-no-reverse",
        "Advertises ReversePlayback, accepts Scale: -1.0, but replays forward",
        # Over every transport: RTSP, the HTTP tunnel and UDP.
        ("REPLAY-REVERSE-01", "REPLAY-HTTP-REVERSE-01", "REPLAY-UDP-REVERSE-01"),
        "Q30: simulation knob reverse_unsupported (reverse replay is conditional in Profile G and "
        "often claimed without working)",
        knobs=Knobs(replay_no_reverse=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "replay-rate-control-ignored",
        "Rate-Control: no is ignored; replay is always paced in real time",
        ("REPLAY-RATE-01",),
        "Q30: detection list 'Rate-Control: no' (DTT REPLAY-3-1-12); export-speed claims rest "
        "on it (inference)",
        knobs=Knobs(replay_rate_control_ignored=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "replay-gap-papered-over",
        "Replay runs across recording gaps without the E flag on the unit before the gap",
        ("REPLAY-GAP-01",),
        "Q30: simulation knob no_e_flag_at_gap; 'E before gaps' in the detection list",
        knobs=Knobs(replay_gap_papered_over=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "search-hides-recording",
        "FindRecordings leaves out the camera's recording (GetRecordings lists it)",
        ("SEARCH-FIND-01",),
        "Q30: recordings invisible to ONVIF search unless created via ONVIF "
        "(hammeraj/onvif PR #112); simulation knob search_hides_native_recordings",
        knobs=Knobs(search_hides_recording=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "search-events-outside-range",
        "FindEvents ignores EndPoint and returns events after the searched window",
        ("SEARCH-EVENTS-01",),
        "Q30: FindRecordings/FindEvents time-window confusion on Dahua NVRs (agsh/onvif#298, "
        "yingchengpa/python-onvif2-zeep#6)",
        knobs=Knobs(search_events_outside_range=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "search-keepalive-ignored",
        "Search sessions never expire, whatever KeepAliveTime was asked for",
        ("SEARCH-KEEPALIVE-01",),
        "Q30 detection flow (search sessions); DTT SEARCH-2-1-20 RECORDINGS SEARCH EXPIRATION "
        "(inference: sessions leak on devices that ignore KeepAliveTime)",
        knobs=Knobs(search_keepalive_ignored=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "recording-service-missing",
        "A recording device whose GetServices has no Recording Control service",
        ("RECORDING-LIST-01",),
        "Q30: Profile G NVR missing the recording XAddr (agsh/onvif lib/cam.js)",
        knobs=Knobs(recording_service_missing=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "search-summary-local-time",
        "GetRecordingSummary writes local time (UTC+1) with a Z suffix",
        ("SEARCH-SUMMARY-01",),
        "Q2: devices writing local time as UTC (non-UTC / time-zone quirks); Q30 Profile G",
        knobs=Knobs(search_summary_time_offset_s=3600.0),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "search-info-local-time",
        "RecordingInformation and MediaAttributes times are local time (UTC+1) with a Z suffix",
        ("SEARCH-INFO-01",),
        "Q2: devices writing local time as UTC (non-UTC / time-zone quirks); Q30 Profile G",
        knobs=Knobs(search_info_time_offset_s=3600.0),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "search-token-ignored",
        "GetRecordingSearchResults given a search token the device never issued returns an "
        "empty, completed result list instead of env:Sender/ter:InvalidArgVal/ter:InvalidToken",
        ("ONVIF-FAULT-G-01",),
        "Q30 Profile G: search sessions looked up leniently, so a client's mistake reads as 'no "
        "recordings'; what ONVIF's SEARCH-2-1-10 GET RECORDING SEARCH RESULTS WITH INVALID "
        "SEARCHTOKEN looks for",
        knobs=Knobs(search_token_ignored=True),
        camera_overrides=RECORDING_CAMERA,
    ),
)
