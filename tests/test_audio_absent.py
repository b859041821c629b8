"""A camera without audio: the audio requirements are not applicable, never failed (audio is a
conditional feature of Profiles S and T). The simulator's audio-less camera answers every audio
operation env:Receiver/ter:ActionNotSupported and has no audio in its profiles, as such cameras
do; the known-good camera's audio is judged by the self-test."""

from __future__ import annotations

from pathlib import Path

from simulated_target import run_profile_on_camera

from fake_vms.site import CameraConfig

AUDIO_REQUIREMENTS = ("ONVIF-AUDIO-CONS-01", "ONVIF-AUDIO-CONS-02", "ONVIF-AUDIO-FAULT-01")


def test_no_audio_is_not_applicable(tmp_path: Path) -> None:
    camera = CameraConfig(name="no-audio", audio=False)
    levels = dict.fromkeys(AUDIO_REQUIREMENTS, "conditional")
    rows = run_profile_on_camera(tmp_path, camera, "audio-only", levels)
    for requirement in AUDIO_REQUIREMENTS:
        assert rows[requirement]["outcome"] == "not_applicable", rows[requirement]
    assert "audio" in rows["ONVIF-AUDIO-CONS-01"]["reason"]
