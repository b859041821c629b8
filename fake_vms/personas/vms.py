"""Personas of the simulated VMS (``applies_to="vms"``): a VMS that ingests conformant cameras
but misbehaves as their client in one known way (profile vms-ingest).

A site selects one with ``vms: {persona: NAME}`` (fixtures/sites/vms-host.yaml); they are never
put on a camera. Each breaks the VMS-* requirements it declares for every good camera it
ingests, and nothing else (proved with the vms-ingest profile against
fixtures/sites/vms-selftest.yaml; see docs/vms-adapters.md).
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

_ZM = "https://github.com/ZoneMinder/zoneminder/issues/"
_ZM_RESEARCH = "shared/research/zoneminder-as-vms.md"
_UK = "uk-evidence-and-security-requirements.md"

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "vms-fps-report-interval",
        "The VMS's capture status reports a configured interval (100) as the capture frame rate",
        ("VMS-CONNECT-01",),
        f"ZoneMinder issue 2351 ({_ZM}2351): 'FPS Report Interval shows up as the FPS' on the "
        f"console; issue 4146 ({_ZM}4146): the console's capture state disagrees with what zmc "
        "captures. A VMS's health API is what an operator trusts for 'is this camera captured'",
        knobs=Knobs(vms_status_fps=100.0),
        applies_to="vms",
    ),
    Persona(
        "vms-section-gaps",
        "Nothing is recorded for 3 s after each clip closes (gaps at recording boundaries)",
        ("VMS-REC-01",),
        f"ZoneMinder issue 3966 ({_ZM}3966): continuous recording with '~20 seconds between each "
        f"section where nothing is recorded'; issue 3481 ({_ZM}3481): random section skips in "
        "continuous events (Record mode, passthrough)",
        knobs=Knobs(vms_clip_gap_s=3.0),
        applies_to="vms",
    ),
    Persona(
        "vms-capture-drops-frames",
        "The VMS loses every 30th non-key frame it receives before recording it",
        ("VMS-MEDIA-01",),
        f"ZoneMinder issue 2084 ({_ZM}2084): 'many frames are lost' in recordings; issue 736 "
        f"({_ZM}736): recorded frame rate below the camera's 15 fps. Frames lost between "
        "capture and disk are invisible without a frame counter (docs/frame-counter.md)",
        knobs=Knobs(vms_drop_every=30),
        applies_to="vms",
    ),
    Persona(
        "vms-search-contained-only",
        "Search by time returns only recordings lying wholly inside the range, not overlapping it",
        ("VMS-SEARCH-01",),
        f"{_ZM_RESEARCH} 4.4: ZoneMinder's API searches by 'StartDateTime >= a / EndDateTime <= "
        "b' and open events never match an EndDateTime condition, so a client that searches "
        "that way misses the recordings that straddle the range; ONVIF Profile G FindRecordings "
        "and the requirement ask for every recording overlapping it (inferred from that clause)",
        knobs=Knobs(vms_search_contained_only=True),
        applies_to="vms",
    ),
    Persona(
        "vms-clock-skew",
        "The VMS stamps recordings with its own clock, 10 s ahead of UTC (no time sync)",
        ("VMS-EXPORT-01",),
        f"{_UK} TIME-* (PSDB leaflet: 'the system clock should be set correctly and "
        "maintained'; NIST IR 8161r1: UTC timestamp per frame); ZoneMinder timestamps frames "
        f"with the server's clock when zmc captures them ({_ZM_RESEARCH} 4.3), so an "
        "unsynchronised VMS server shifts every recording and export",
        knobs=Knobs(vms_clock_offset_s=10.0),
        applies_to="vms",
    ),
    Persona(
        "vms-export-transcoded",
        "Exports of ingested cameras are re-encoded to H.264 instead of copying the recording",
        ("VMS-EXPORT-01",),
        f"{_UK} EXP-NATIVE-01 (export bit-identical, 'shall not be re-encoded': RAVE v3.0, "
        f"Retrieval v2, ONVIF EFF 5.1); ZoneMinder's video export (zmvideo.pl) re-encodes "
        f"({_ZM_RESEARCH} 4.5)",
        knobs=Knobs(vms_export_transcode=True),
        applies_to="vms",
    ),
    Persona(
        "vms-export-no-manifest",
        "Exports hold the media and a plain file list: no hashes, identity, UTC times or signature",
        ("VMS-EXPORT-EVIDENCE-01", "VMS-CLOCK-01"),
        f"{_ZM_RESEARCH} 4.5: ZoneMinder's zip export holds the event's mp4, zmFileList.txt, an "
        f"HTML page and jquery.min.js, no hash manifest; {_UK} INT-HASH-01, INT-SIG-02",
        knobs=Knobs(vms_export_plain=True),
        applies_to="vms",
    ),
    Persona(
        "vms-onvif-fixed-token",
        "The VMS's ONVIF probe skips GetProfiles and asks GetStreamUri for 'Profile_1'",
        ("VMS-TRACE-01",),
        "ONVIF Media 5.2.1 / Media2 5.2.2: profile tokens are assigned by the device and read "
        "with GetProfiles; clients that hard-code a vendor's token ('Profile_1', "
        "'MediaProfile000') fail on other makes (inferred from those clauses; "
        "onvif-profiles-streaming-quirks.md: stream URI discovery failures)",
        knobs=Knobs(vms_onvif_fixed_token="Profile_1"),
        applies_to="vms",
    ),
    Persona(
        "vms-udp-falls-back-tcp",
        "Asked to receive a camera over RTP/UDP, the VMS silently takes RTP interleaved over TCP",
        ("VMS-CONNECT-01",),
        "issue 15: ZoneMinder 1.36 with Method=rtpRtsp and Options=rtsp_transport=udp captured "
        "over the RTSP TCP connection (no UDP socket in zmc) while configured for UDP; FFmpeg's "
        "RTSP client falls back to TCP when UDP fails (ffmpeg rtsp 'rtsp_transport' docs). "
        "Only the camera's own session list shows the transport really used",
        knobs=Knobs(vms_force_tcp=True),
        applies_to="vms",
        breaks_cameras=("h265-udp",),
    ),
    Persona(
        "vms-export-not-audited",
        "Exports of ingested cameras leave no entry in the VMS's audit log (logins still do)",
        ("VMS-AUDIT-01",),
        f"issue 15: ZoneMinder 1.36's own log (Logs table, /api/logs.json) records logins "
        f"('Login successful for user') but no export or download; {_UK} AUD-EXPORT-01 (every "
        "export logged with user, time, cameras, range)",
        knobs=Knobs(export_no_audit=True),
        applies_to="vms",
    ),
    Persona(
        "vms-reconnect-slow",
        "After a camera drops out, the VMS waits 25 s before each reconnect attempt",
        ("VMS-RECOVERY-01",),
        f"ZoneMinder issue 476 ({_ZM}476): a camera back online after an outage is no longer "
        f"followed; issue 2172 ({_ZM}2172): capture silently stops after intermittent network "
        f"issues; issue 1992 ({_ZM}1992): maintainers propose slowing reconnect attempts to an "
        "offline camera, which delays recovery when it returns",
        knobs=Knobs(vms_reconnect_wait_s=25.0),
        applies_to="vms",
    ),
    Persona(
        "vms-clip-overlap",
        "Each clip also holds the first 2 frames of the next one (duplicated at every boundary)",
        ("VMS-CONTINUITY-01",),
        f"{_ZM_RESEARCH} 4.3: a passthrough event begins at the key frame before its stated "
        "start, so a recorder that cuts on key frames can write the same frames into two "
        "consecutive events; an investigator concatenating segments then sees time run "
        "backwards. UK evidence export: exported footage complete and unaltered (original "
        "quality)",
        knobs=Knobs(vms_clip_overlap_frames=2),
        applies_to="vms",
    ),
    Persona(
        "vms-viewer-can-export",
        "A viewer-only account's export is carried out (roles not enforced on export)",
        ("VMS-EXPORT-ROLE-01",),
        "issue 15: ZoneMinder 1.36 carries out request=event&action=download for a user with "
        "Events=View and System=None (its export needs only view rights); "
        f"{_UK}: evidential export restricted to authorised roles (Surveillance Camera Code of "
        "Practice principle 9, access to images restricted)",
        knobs=Knobs(vms_viewer_can_export=True),
        applies_to="vms",
    ),
    Persona(
        "vms-metadata-nominal-fps",
        "Search states a nominal 30 fps for every recording, whatever the camera sends",
        ("VMS-META-01",),
        f"ZoneMinder issue 2351 ({_ZM}2351): the console shows a configured interval as the "
        "frame rate; VMS metadata built from configuration instead of the stream misleads an "
        "investigator about what the recording holds (UK evidence export: metadata accurate)",
        knobs=Knobs(vms_stated_fps=30.0),
        applies_to="vms",
    ),
    Persona(
        "vms-export-unplayable",
        "Exported files carry no parameter sets (SPS/PPS): the frames are there, no player "
        "can decode them",
        ("VMS-PLAY-01",),
        f"{_UK} EXP-OPEN-02 (open container and codec; playback succeeds in at least two "
        "independent players: NIST IR 8161r1 Level 0, IEC 62676-2-32 4.6 use case 3) and "
        "EXP-PLAYER-03 (licence-free replay); a file whose decoder configuration is kept "
        "outside it plays only in the vendor's own player (inferred from those clauses)",
        knobs=Knobs(vms_export_strip_parameter_sets=True),
        applies_to="vms",
    ),
    Persona(
        "vms-export-clock-unstated",
        "The export manifest gives UTC-looking times but does not say which clock they follow",
        ("VMS-CLOCK-01",),
        f"{_UK} TIME-EXPOFFSET-08 (NIST IR 8161r1 Level 0: system clock offset metadata in the "
        "export) and TIME-* (PSDB: the system clock set and maintained): with a camera clock "
        "10 minutes off, an export that does not say whether its times are the camera's or "
        "the VMS's cannot be placed in time",
        knobs=Knobs(vms_export_clock_unstated=True),
        applies_to="vms",
    ),
)
