"""Quirk knobs: recording search, replay and recording control (ONVIF Profile G).

Defaults are the conformant behaviour; the knob names follow the simulation design of quirk Q30
in the research notes (replay.*, search.*).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordingKnobs:
    """Profile G services and RTSP replay (quirk family Q30)."""

    search_hides_recording: bool = False
    """FindRecordings leaves the camera's recording out of its results (GetRecordings and
    GetRecordingSummary still count it)."""
    search_events_outside_range: bool = False
    """FindEvents ignores EndPoint: events after the searched range are returned too."""
    search_summary_time_offset_s: float = 0.0
    """GetRecordingSummary writes DataFrom/DataUntil shifted by this much (local time as UTC)."""
    search_info_time_offset_s: float = 0.0
    """RecordingInformation and MediaAttributes times are shifted by this much (local time
    written as UTC)."""
    search_keepalive_ignored: bool = False
    """Search sessions never expire, whatever KeepAliveTime the client asked for."""
    recording_service_missing: bool = False
    """The Recording Control service is not offered (no XAddr in GetServices)."""
    replay_no_onvif_tag: bool = False
    """SETUP/PLAY with ``Require: onvif-replay`` get 551 Option not supported (without the
    header, replay works)."""
    replay_range_ignored: bool = False
    """PLAY ignores ``Range: clock=``: the replay starts at the live edge of the recording."""
    replay_ignores_range_end: bool = False
    """A closed ``Range: clock=start-end`` starts right but keeps playing past its end."""
    replay_no_abac: bool = False
    """Replay RTP carries no 0xABAC header extension."""
    replay_abac_no_c_flag: bool = False
    """The 0xABAC extension never sets the C (clean point) flag, keyframes included."""
    replay_no_reverse: bool = False
    """``Scale: -1.0`` is accepted but the replay runs forward (ReversePlayback stays true)."""
    replay_rate_control_ignored: bool = False
    """``Rate-Control: no`` is ignored: replay is paced in real time."""
    replay_gap_papered_over: bool = False
    """Replay runs across a recording gap without setting the E flag on the last access unit
    before it."""
    search_token_ignored: bool = False
    """GetRecordingSearchResults given a search token the device never issued returns an empty,
    completed result list instead of ter:InvalidToken (an expired session still gets the fault)."""
