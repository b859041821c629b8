"""Title rules for ``tools/import_onvif_test_index.py``: which ONVIF operations a device test
case's procedure exercises, from its specification and title.

Why apart: the importer's other half (parsing the index, applicability, overrides, rendering)
reads as one flow; these rules are a long table of title patterns and the WSDL check that keeps
every operation name real, reviewed on their own.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
Ops = tuple[str, ...]


# -- operations --------------------------------------------------------------------------------
RTSP: Ops = ("DESCRIBE", "SETUP", "PLAY", "TEARDOWN")
VEC1: Ops = ("GetVideoEncoderConfigurationOptions", "SetVideoEncoderConfiguration")
AEC: Ops = ("GetAudioEncoderConfigurationOptions", "SetAudioEncoderConfiguration")
BACKCHANNEL1: Ops = (
    "GetCompatibleAudioOutputConfigurations",
    "AddAudioOutputConfiguration",
    "GetCompatibleAudioDecoderConfigurations",
    "AddAudioDecoderConfiguration",
)
BACKCHANNEL2: Ops = (
    "GetAudioOutputConfigurations",
    "GetAudioDecoderConfigurations",
    "AddConfiguration",
)
SEARCH_REC: Ops = ("FindRecordings", "GetRecordingSearchResults")
PULL: Ops = ("CreatePullPointSubscription", "PullMessages", "Unsubscribe")


def streaming_ops(title: str, media2: bool) -> Ops:
    """Operations of a live-streaming case, from what its title names (codec, audio, ...).

    The DTT's streaming annex picks a media profile, sets its encoder to the codec under test,
    gets the stream URI and runs RTSP; a backchannel case first adds an audio output and decoder.
    """
    ops: list[str] = []
    if "ENCODER INSTANCES" in title:
        ops += ["GetVideoSourceConfigurations"]
        ops += (
            ["GetVideoEncoderInstances"]
            if media2
            else ["GetGuaranteedNumberOfVideoEncoderInstances"]
        )
    ops.append("GetProfiles")
    backchannel = "BACKCHANNEL" in title
    rest = title.split("BACKCHANNEL", 1)[1] if backchannel else title
    if backchannel:
        ops += BACKCHANNEL2 if media2 else BACKCHANNEL1
    if re.search(r"METADATA|NOTIFICATION", rest):
        ops += ["GetMetadataConfigurations", "SetMetadataConfiguration"]
    if re.search(r"JPEG|MPEG4|H\.26|VIDEO", rest):
        ops += VEC1
    if re.search(r"AUDIO" if backchannel else r"G\.711|G\.726|AAC|AUDIO", rest):
        ops += AEC
    ops += ["GetStreamUri", *RTSP[:3]]
    if "SYNCHRONIZATION POINT" in title:
        ops.append("SetSynchronizationPoint")
    keepalive = re.search(r"KEEPALIVE \((\w+)\)", title)
    if keepalive:
        ops.append(keepalive[1])
    ops.append("TEARDOWN")
    return tuple(ops)


KINDS = r"VIDEO SOURCE|VIDEO ENCODER|AUDIO SOURCE|AUDIO ENCODER|AUDIO OUTPUT|AUDIO DECODER|METADATA"


def _kind(words: str) -> str:
    return "".join(w.capitalize() for w in words.split()) + "Configuration"


def configuration_ops(spec: str, title: str) -> Ops:
    """Media configuration cases: get, get options, set (and read back) one kind of configuration;
    use-count cases: the profile operations that change the configuration's use count."""
    media1 = spec == "Media_Configuration"
    use = re.match(rf"({KINDS}) CONFIGURATION USE COUNT \((.*)\)", title)
    if use and media1:
        k, case = _kind(use[1]), use[2]
        if "CURRENT STATE" in case:
            return ("GetProfiles", f"Get{k}s", f"Get{k}")
        if "ADD SAME" in case:
            return ("CreateProfile", f"Get{k}s", f"Add{k}", f"Get{k}", "DeleteProfile")
        if "ADD DIFFERENT" in case:
            return ("CreateProfile", f"GetCompatible{k}s", f"Add{k}", f"Get{k}", "DeleteProfile")
        if "REMOVE" in case:
            return ("CreateProfile", f"Add{k}", f"Remove{k}", f"Get{k}", "DeleteProfile")
        if "DELETION" in case:
            return ("CreateProfile", f"Add{k}", "DeleteProfile", f"Get{k}")
        return (f"Get{k}s", f"Get{k}Options", f"Set{k}", f"Get{k}")
    plain = re.match(
        rf"^(?:MODIFY ALL SUPPORTED |SET ALL SUPPORTED |JPEG |MPEG4 |H\.264 |G\.7\d\d |AAC )?"
        rf"({KINDS}) CONFIGURATIONS?$",
        title,
    )
    if plain:
        k = _kind(plain[1])
        return (f"Get{k}s", f"Get{k}Options", f"Set{k}", f"Get{k}" if media1 else f"Get{k}s")
    return ()


# (spec or "*", title regex, operations); the first match wins. Overrides win over all.
OP_RULES: list[tuple[str, str, Ops]] = [
    ("Base", r"^GET SERVICES AND GET CAPABILITIES", ("GetServices", "GetCapabilities")),
    ("*", r"GET SERVICES AND (GET )?.*CAPABILIT", ("GetServices", "GetServiceCapabilities")),
    ("*", r"SERVICES? CAPABILITIES$", ("GetServiceCapabilities",)),
    ("Base", r"^GET SERVICES – |^GET SERVICES - XADDR", ("GetServices",)),
    ("Base", r"CAPABILITIES$", ("GetCapabilities",)),
    ("Base", r"^DISCOVERY - NAMESPACES|^SEARCH|INVALID SEARCH|PROBE", ("WS-Discovery Probe",)),
    ("Base", r"^DEVICE MANAGEMENT - NAMESPACES", ("GetDNS", "SetDNS")),
    ("Base", r"SET DNS|GET DNS", ("GetDNS", "SetDNS")),
    ("Base", r"NTP CONFIGURATION", ("GetNTP", "SetNTP")),
    ("Base", r"DYNAMIC DNS", ("GetDynamicDNS", "SetDynamicDNS")),
    (
        "Base",
        r"NETWORK INTERFACE CONFIGURATION|^IPV[46]",
        ("GetNetworkInterfaces", "SetNetworkInterfaces"),
    ),
    ("Base", r"NETWORK PROTOCOLS", ("GetNetworkProtocols", "SetNetworkProtocols")),
    ("Base", r"DEFAULT GATEWAY", ("GetNetworkDefaultGateway", "SetNetworkDefaultGateway")),
    ("Base", r"SETHOSTNAME|HOSTNAME CONFIGURATION", ("GetHostname", "SetHostname")),
    ("Base", r"SETSYSTEMDATEANDTIME", ("GetSystemDateAndTime", "SetSystemDateAndTime")),
    ("Base", r"IP ADDRESS FILTER", ("GetIPAddressFilter",)),  # refined in the overrides
    (
        "Base",
        r"SETRELAYOUTPUTSTATE",
        ("GetRelayOutputs", "SetRelayOutputSettings", "SetRelayOutputState"),
    ),
    ("Base", r"SETRELAYOUTPUTSETTINGS", ("GetRelayOutputs", "SetRelayOutputSettings")),
    ("Event_Handling", r"^EVENT - NAMESPACES", ("Subscribe", "Unsubscribe")),
    ("Event_Handling", r"^BASIC NOTIFICATION INTERFACE", ("Subscribe", "Notify", "Unsubscribe")),
    ("Event_Handling", r"^REALTIME PULLPOINT SUBSCRIPTION", PULL),
    (
        "Event_Handling",
        r"^SEEK EVENTS",
        ("CreatePullPointSubscription", "Seek", "PullMessages", "Unsubscribe"),
    ),
    (
        "Real_Time_Streaming",
        r"^START AND STOP MULTICAST",
        ("GetProfiles", "StartMulticastStreaming", "StopMulticastStreaming"),
    ),
    (
        "Real_Time_Streaming",
        r"STREAMING|SYNCHRONIZATION|RESOLUTION|MULTICAST|BACKCHANNEL|ENCODER",
        (),
    ),  # computed by streaming_ops
    ("Real_Time_Streaming_using_Media2", r"STREAMING|SYNCHRONIZATION|BACKCHANNEL|INSTANCES", ()),
    ("Replay_Control", r"^GETREPLAYURI", ("GetReplayUri",)),
    (
        "Replay_Control",
        r"^REPLAY CONFIGURATION",
        ("GetReplayConfiguration", "SetReplayConfiguration"),
    ),
    ("Replay_Control", r"PAUSE", (*SEARCH_REC, "GetReplayUri", *RTSP[:3], "PAUSE", "TEARDOWN")),
    ("Replay_Control", r"PLAYBACK", (*SEARCH_REC, "GetReplayUri", *RTSP)),
    ("Recording_Search", r"^GET RECORDING SUMMARY", ("GetRecordingSummary",)),
    (
        "Recording_Search",
        r"FIND RECORDINGS|RECORDING SEARCH RESULTS|RECORDINGS SEARCH|END SEARCH",
        ("FindRecordings", "GetRecordingSearchResults", "EndSearch"),
    ),
    (
        "Recording_Search",
        r"FIND EVENTS|EVENT SEARCH|EVENTS SEARCH",
        ("GetRecordingSummary", "FindEvents", "GetEventSearchResults", "EndSearch"),
    ),
    (
        "Recording_Search",
        r"METADATA",
        ("GetRecordingSummary", "FindMetadata", "GetMetadataSearchResults", "EndSearch"),
    ),
    (
        "Recording_Search",
        r"PTZ POSITION|PTZ SEARCH",
        ("GetRecordingSummary", "FindPTZPosition", "GetPTZPositionSearchResults", "EndSearch"),
    ),
    ("Imaging", r"REALTIME PULLPOINT SUBSCRIPTION", ("GetEventProperties", *PULL)),
    ("Imaging", r"GETIMAGINGSETTINGS", ("GetVideoSources", "GetImagingSettings")),
    ("Imaging", r"GETOPTIONS", ("GetVideoSources", "GetOptions")),
    ("Imaging", r"SETIMAGINGSETTINGS", ("GetVideoSources", "GetOptions", "SetImagingSettings")),
    ("Imaging", r"GETMOVEOPTIONS", ("GetVideoSources", "GetMoveOptions")),
    ("Imaging", r"GETSTATUS", ("GetVideoSources", "GetStatus")),
    ("Imaging", r"COMMAND STOP", ("GetVideoSources", "Stop")),
    ("Imaging", r"MOVE", ("GetVideoSources", "GetMoveOptions", "Move")),
]
WSDL_DIR = ROOT / "conformance" / "wsdl" / "onvif"
SPEC_WSDL = {
    "Analytics_Engine": "ver20/analytics/wsdl/analytics.wsdl",
    "Base": "ver10/device/wsdl/devicemgmt.wsdl",
    "DeviceIO": "ver10/deviceio.wsdl",
    "Event_Handling": "ver10/events/wsdl/event.wsdl",
    "Imaging": "ver20/imaging/wsdl/imaging.wsdl",
    "Media2_Configuration": "ver20/media/wsdl/media.wsdl",
    "Media_Configuration": "ver10/media/wsdl/media.wsdl",
    "PTZ": "ver20/ptz/wsdl/ptz.wsdl",
    "Receiver": "ver10/receiver.wsdl",
    "Recording_Control": "ver10/recording.wsdl",
    "Recording_Search": "ver10/search.wsdl",
    "Replay_Control": "ver10/replay.wsdl",
    "Security_Configuration": "ver10/advancedsecurity/wsdl/advancedsecurity.wsdl",
}
"""The WSDL of each spec's service: titles are matched against its operation names only."""
OPERATION = re.compile(r'<wsdl:operation name="(\w+)"')


def wsdl_operations(spec: str) -> tuple[str, ...]:
    """The operation names of a spec's service, sorted (empty when it has no WSDL)."""
    if spec not in SPEC_WSDL:
        return ()
    return tuple(sorted(set(OPERATION.findall((WSDL_DIR / SPEC_WSDL[spec]).read_text("utf-8")))))


def _words(text: str, fold: bool) -> list[str]:
    """Upper-case words; with ``fold``, plurals folded ("CONFIGURATIONS" -> "CONFIGURATION")."""
    words = re.findall(r"[A-Z0-9]+", text.upper())
    if not fold:
        return words
    return [w[:-1] if len(w) > 3 and w.endswith("S") and not w.endswith("SS") else w for w in words]


def _camel(name: str) -> list[str]:
    """``GetVideoSourceModes`` -> ``[Get, Video, Source, Modes]``."""
    return re.findall(r"[A-Z][a-z0-9]*|[A-Z]+(?![a-z])", name)


def title_ops(spec: str, title: str) -> Ops:
    """WSDL operations named in the title ("GET AUDIO SOURCES" -> GetAudioSources).

    A title without a verb that compares things ("X AND Y CONSISTENCY") names the Get of each.
    Only the longest matches count: "GET ... CONFIGURATION OPTIONS" is not also "...Configuration".
    """
    upper = title.upper()
    phrases = [upper]
    if "CONSISTENCY" in upper:
        body = re.sub(r"\bCONSISTENCY\b.*", "", upper)
        phrases += ["GET " + part for part in re.split(r"\bAND\b", body)]
    found: dict[str, tuple[int, int, int]] = {}
    for fold in (False, True):  # exact words first: "PROFILES" is GetProfiles, not GetProfile
        spans = set(found.values())
        for number, phrase in enumerate(phrases):
            tokens = re.findall(r"[A-Z0-9]+", phrase)
            joined = " " + " ".join(_words(phrase, fold)) + " "
            for op in wsdl_operations(spec):
                if op in found:
                    continue
                glued = [i for i, t in enumerate(tokens) if t in (op.upper(), op.upper() + "S")]
                if glued and not fold:  # "GETRELAYOUTPUTS", "IO SETRELAYOUTPUTSTATE"
                    found[op] = (number, -1000 + glued[0], -999 + glued[0])
                    continue
                needle = " " + " ".join(_words(" ".join(_camel(op)), fold)) + " "
                at = joined.find(needle)
                if at >= 0 and (number, at, at + len(needle)) not in spans:
                    found[op] = (number, at, at + len(needle))
    kept = [
        op
        for op, (n, start, end) in found.items()
        if not any(
            o != op and m == n and s <= start and end <= e and (s, e) != (start, end)
            for o, (m, s, e) in found.items()
        )
    ]
    return tuple(sorted(kept, key=lambda op: found[op]))


STREAMING_SPECS = {"Real_Time_Streaming": False, "Real_Time_Streaming_using_Media2": True}


def rule_ops(spec: str, title: str) -> Ops:
    """Operations the rules give for a case (empty when no rule knows)."""
    upper = title.upper()
    if spec in ("Media_Configuration", "Media2_Configuration") and configuration_ops(spec, upper):
        return configuration_ops(spec, upper)
    for rule_spec, pattern, ops in OP_RULES:
        if rule_spec in ("*", spec) and re.search(pattern, upper):
            if not ops and spec in STREAMING_SPECS:
                return streaming_ops(upper, STREAMING_SPECS[spec])
            return ops
    return title_ops(spec, title)
