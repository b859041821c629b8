"""The simulated audio (Media ver10 and Media2): schema-valid answers, audio in the main profiles,
the faults for unknown tokens, and each audio knob changing the wire.

Every reply is validated against the official WSDL's schema, as test_onvif_schema.py and
test_media2_service.py do for the video operations; the personas' cameras are validated too, so
an audio knob breaks a requirement and never the message format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from lxml import etree
from requests.auth import HTTPDigestAuth
from test_onvif_schema import ENV, TRT, TT, service_schema

from fake_vms.onvif.server import OnvifServer
from fake_vms.personas import PERSONAS
from fake_vms.personas.knobs import Knobs
from fake_vms.site import CameraConfig, apply_persona

TR2 = "http://www.onvif.org/ver20/media/wsdl"
PATHS = {TRT: "/onvif/media_service", TR2: "/onvif/media2_service"}
NS = {"trt": TRT, "tr2": TR2, "tt": TT}


def _token(op: str, name: str, token: str) -> str:
    return f"<{op}><{name}>{token}</{name}></{op.split()[0]}>"


MEDIA1_REQUESTS = [
    "<trt:GetProfiles/>",
    "<trt:GetProfile><trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetProfile>",
    "<trt:GetAudioSources/>",
    "<trt:GetAudioOutputs/>",
    "<trt:GetAudioSourceConfigurations/>",
    _token("trt:GetAudioSourceConfiguration", "trt:ConfigurationToken", "asc_1"),
    "<trt:GetAudioSourceConfigurationOptions/>",
    _token("trt:GetAudioSourceConfigurationOptions", "trt:ProfileToken", "profile_1"),
    "<trt:GetAudioEncoderConfigurations/>",
    _token("trt:GetAudioEncoderConfiguration", "trt:ConfigurationToken", "aec_1"),
    _token("trt:GetAudioEncoderConfigurationOptions", "trt:ConfigurationToken", "aec_1"),
    "<trt:GetAudioOutputConfigurations/>",
    _token("trt:GetAudioOutputConfiguration", "trt:ConfigurationToken", "aoc_1"),
    _token("trt:GetAudioOutputConfigurationOptions", "trt:ConfigurationToken", "aoc_1"),
    "<trt:GetAudioDecoderConfigurations/>",
    _token("trt:GetAudioDecoderConfiguration", "trt:ConfigurationToken", "adc_1"),
    "<trt:GetAudioDecoderConfigurationOptions/>",
]
MEDIA2_REQUESTS = [
    "<tr2:GetProfiles><tr2:Type>All</tr2:Type></tr2:GetProfiles>",
    "<tr2:GetProfiles><tr2:Type>AudioEncoder</tr2:Type></tr2:GetProfiles>",
    "<tr2:GetAudioSourceConfigurations/>",
    _token("tr2:GetAudioSourceConfigurations", "tr2:ConfigurationToken", "asc2_1"),
    _token("tr2:GetAudioSourceConfigurationOptions", "tr2:ConfigurationToken", "asc2_1"),
    "<tr2:GetAudioEncoderConfigurations/>",
    _token("tr2:GetAudioEncoderConfigurationOptions", "tr2:ProfileToken", "m2_profile_1"),
    "<tr2:GetAudioOutputConfigurations/>",
    "<tr2:GetAudioOutputConfigurationOptions/>",
    "<tr2:GetAudioDecoderConfigurations/>",
    "<tr2:GetAudioDecoderConfigurationOptions/>",
]
AUDIO_KNOBS = (
    "audio_list_sample_rate_wrong",
    "media2_audio_bitrate_wrong",
    "audio_unknown_token_accepted",
)
CAMERAS = {"h264": CameraConfig(name="cam-01"), "h265": CameraConfig(name="cam-01", codec="H265")}
CAMERAS |= {
    name: apply_persona(CameraConfig(name="cam-01"), persona)
    for name, persona in PERSONAS.items()
    # the audio personas, and the legal oddities that rewrite every reply (prefixes, tokens,
    # vendor elements); timer-jitter holds each reply to the next whole second, for nothing here
    if any(getattr(persona.knobs, knob) for knob in AUDIO_KNOBS)
    or (persona.legal and not persona.knobs.whole_second_timers)
}


def _post(server: OnvifServer, camera: CameraConfig, namespace: str, body: str) -> etree._Element:
    envelope = (
        f'<s:Envelope xmlns:s="{ENV}" xmlns:trt="{TRT}" xmlns:tr2="{TR2}" xmlns:tt="{TT}">'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    )
    reply = requests.post(
        server.served_at(PATHS[namespace]),
        data=envelope,
        auth=HTTPDigestAuth(camera.username, camera.password),
        timeout=5,
    )
    return etree.fromstring(reply.content).find(f"{{{ENV}}}Body")[0]


def _valid(namespace: str, element: etree._Element) -> None:
    schema = service_schema(namespace)
    if not schema.validate(etree.ElementTree(etree.fromstring(etree.tostring(element)))):
        raise AssertionError(f"{etree.QName(element).localname}: {schema.error_log}")


@pytest.mark.parametrize("camera_name", sorted(CAMERAS))
def test_audio_replies_are_schema_valid(
    camera_name: str, run_async_server: Callable[[Any], Any]
) -> None:
    camera = CAMERAS[camera_name]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    for namespace, bodies in ((TRT, MEDIA1_REQUESTS), (TR2, MEDIA2_REQUESTS)):
        for body in bodies:
            reply = _post(server, camera, namespace, body)
            assert etree.QName(reply).localname.endswith("Response"), (body, etree.tostring(reply))
            _valid(namespace, reply)


def test_main_profiles_carry_audio_and_video_stays(run_async_server: Callable[[Any], Any]) -> None:
    camera = CameraConfig(name="cam-01")
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    profile = _post(server, camera, TRT, "<trt:GetProfiles/>")[0]
    names = [etree.QName(child).localname for child in profile]
    assert names[:5] == [
        "Name",
        "VideoSourceConfiguration",
        "AudioSourceConfiguration",
        "VideoEncoderConfiguration",
        "AudioEncoderConfiguration",
    ]
    assert profile.find("tt:Extension/tt:AudioOutputConfiguration", NS).get("token") == "aoc_1"
    assert profile.find("tt:Extension/tt:AudioDecoderConfiguration", NS).get("token") == "adc_1"
    sets = _post(server, camera, TR2, "<tr2:GetProfiles><tr2:Type>All</tr2:Type></tr2:GetProfiles>")
    main = sets[0].find("tr2:Configurations", NS)
    assert [etree.QName(c).localname for c in main] == [
        "VideoSource",
        "AudioSource",
        "VideoEncoder",
        "AudioEncoder",
        "AudioOutput",
        "AudioDecoder",
    ]
    video_only = _post(
        server, camera, TR2, "<tr2:GetProfiles><tr2:Type>VideoEncoder</tr2:Type></tr2:GetProfiles>"
    )
    assert not video_only.findall(".//tr2:AudioEncoder", NS)


def _subcodes(reply: etree._Element) -> list[str]:
    return [node.text.split(":")[-1] for node in reply.iter(f"{{{ENV}}}Value") if node.text]


UNKNOWN = [
    (TRT, _token("trt:GetAudioSourceConfiguration", "trt:ConfigurationToken", "nope"), "NoConfig"),
    (
        TRT,
        _token("trt:GetAudioSourceConfigurationOptions", "trt:ProfileToken", "nope"),
        "NoProfile",
    ),
    (TRT, _token("trt:GetAudioDecoderConfiguration", "trt:ConfigurationToken", "x"), "NoConfig"),
    (TR2, _token("tr2:GetAudioOutputConfigurations", "tr2:ConfigurationToken", "x"), "NoConfig"),
    (TR2, _token("tr2:GetAudioDecoderConfigurations", "tr2:ProfileToken", "x"), "NoProfile"),
]


@pytest.mark.parametrize("accepted", [False, True])
def test_unknown_audio_tokens_fault_unless_knob(
    accepted: bool, run_async_server: Callable[[Any], Any]
) -> None:
    camera = CameraConfig(name="cam-01", knobs=Knobs(audio_unknown_token_accepted=accepted))
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    for namespace, body, subcode in UNKNOWN:
        reply = _post(server, camera, namespace, body)
        if accepted:
            assert etree.QName(reply).localname.endswith("Response"), body
        else:
            assert etree.QName(reply).localname == "Fault", body
            assert ["Sender", "InvalidArgVal", subcode] == _subcodes(reply), body


def test_audio_knobs_change_the_wire(run_async_server: Callable[[Any], Any]) -> None:
    camera = CameraConfig(
        name="cam-01",
        knobs=Knobs(audio_list_sample_rate_wrong=True, media2_audio_bitrate_wrong=True),
    )
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    listed = _post(server, camera, TRT, "<trt:GetAudioEncoderConfigurations/>")
    single = _post(
        server,
        camera,
        TRT,
        _token("trt:GetAudioEncoderConfiguration", "trt:ConfigurationToken", "aec_1"),
    )
    assert listed.findtext(".//tt:SampleRate", namespaces=NS) == "16"
    assert single.findtext(".//tt:SampleRate", namespaces=NS) == "8"
    media2 = _post(server, camera, TR2, "<tr2:GetAudioEncoderConfigurations/>")
    assert media2.findtext(".//tt:Bitrate", namespaces=NS) == "128"


def test_camera_without_audio_has_none(run_async_server: Callable[[Any], Any]) -> None:
    camera = CameraConfig(name="cam-01", audio=False)
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    for namespace, body in ((TRT, "<trt:GetAudioSources/>"), (TR2, MEDIA2_REQUESTS[2])):
        assert _subcodes(_post(server, camera, namespace, body))[:2] == [
            "Receiver",
            "ActionNotSupported",
        ]
    profile = _post(server, camera, TRT, "<trt:GetProfiles/>")[0]
    assert profile.find("tt:AudioSourceConfiguration", NS) is None
    assert profile.find("tt:Extension", NS) is None
    sets = _post(server, camera, TR2, MEDIA2_REQUESTS[0])
    assert not sets.findall(".//tr2:AudioSource", NS)
