"""ONVIF-OPT-MEDIA2-01, ONVIF-CONS-MEDIA2-01 and MEDIA2-PROF-01's streaming part, on hand-made
replies: good, broken and legal-but-odd."""

from __future__ import annotations

from types import SimpleNamespace as NS

from conformance.checks.media2 import (
    Media2Encoder,
    Media2Profile,
    check_ready_profile_streams,
    ready_profile,
)
from conformance.checks.media2_config import (
    check_encoder_instances,
    check_encoder_options,
    check_profiles_agree_with_listing,
    check_source_configurations,
    check_source_modes,
    check_source_options,
    configuration_view,
    encoder_instances_view,
    encoder_options_ranges,
    source_mode_view,
    source_options_full_view,
)
from conformance.checks.options import check_source_within_options


def _range(low, high):
    return NS(Min=low, Max=high)


def _source(token="vsc_1", width=1920, use_count=2, source="vs_1"):
    return NS(
        token=token,
        Name="VideoSource",
        UseCount=use_count,
        SourceToken=source,
        Bounds=NS(x=0, y=0, width=width, height=1080),
        _vendor="ignored",
    )


def _source_options(width=(1920, 1920), tokens=("vs_1",)):
    return NS(
        BoundsRange=NS(
            XRange=_range(0, 0),
            YRange=_range(0, 0),
            WidthRange=_range(*width),
            HeightRange=_range(1080, 1080),
        ),
        VideoSourceTokensAvailable=list(tokens),
        Extension=None,
    )


def test_source_configurations_good_and_odd_extras_pass():
    assert check_source_configurations([configuration_view(_source())]) == []


def test_source_configurations_missing_parts_named():
    odd = NS(token="vsc_2", Name=None, UseCount=None, SourceToken=None, Bounds=None)
    problems = check_source_configurations([configuration_view(odd)])
    assert any("no SourceToken" in p for p in problems)
    assert any("no Bounds" in p for p in problems)
    assert check_source_configurations([]) == [
        "GetVideoSourceConfigurations listed no video source configuration"
    ]


def test_source_options_well_formed_and_bounds_within():
    options = source_options_full_view(_source_options())
    assert check_source_options(options) == []
    assert check_source_within_options(configuration_view(_source()), options) == []


def test_source_options_inverted_range_and_no_tokens():
    problems = check_source_options(source_options_full_view(_source_options((1920, 640), ())))
    assert "BoundsRange WidthRange Min 1920 > Max 640" in problems
    assert "the options list no VideoSourceTokensAvailable" in problems


def test_source_bounds_outside_narrowed_options():
    options = source_options_full_view(_source_options((320, 640)))
    problems = check_source_within_options(configuration_view(_source()), options)
    assert problems == ["Bounds width 1920 outside WidthRange [320, 640]"]


def _encoder_options(encoding="H265", quality=(0, 10), gov=(1, 60), rates=(25.0, 12.5)):
    return NS(
        Encoding=encoding,
        ResolutionsAvailable=[NS(Width=1920, Height=1080), NS(Width=640, Height=360)],
        QualityRange=_range(*quality),
        BitrateRange=_range(64, 16384),
        GovLengthRange=list(gov),
        FrameRatesSupported=list(rates),
        ProfilesSupported=["Main"],
    )


def test_encoder_options_good_pass():
    ranges = [
        encoder_options_ranges(_encoder_options()),
        encoder_options_ranges(_encoder_options("H264")),
    ]
    assert check_encoder_options(ranges, "H265") == []


def test_encoder_options_broken_named():
    ranges = [encoder_options_ranges(_encoder_options(quality=(5, 1), rates=(0.0,)))]
    problems = check_encoder_options(ranges, "H264")
    assert any("no options for the configuration's encoding H264 (H265)" in p for p in problems)
    assert any("QualityRange Min 5 > Max 1" in p for p in problems)
    assert any("frame rate 0 is not positive" in p for p in problems)
    assert check_encoder_options([], "H264")


def test_profiles_agree_with_listing_good():
    held = {"p1": configuration_view(_source()), "p2": configuration_view(_source())}
    assert (
        check_profiles_agree_with_listing("video source", held, [configuration_view(_source())])
        == []
    )


def test_profiles_disagree_with_listing_use_count_and_missing():
    held = {"p1": configuration_view(_source()), "p2": configuration_view(_source(token="vsc_9"))}
    listed = [configuration_view(_source(use_count=0))]
    problems = check_profiles_agree_with_listing("video source", held, listed)
    assert any("UseCount 2 in profile p1, 0 in the listing" in p for p in problems)
    assert any("listed UseCount 0, but 1 profiles hold it" in p for p in problems)
    assert any("vsc_9 is not in the listing" in p for p in problems)


def test_metadata_listed_but_held_by_no_profile_is_legal():
    metadata = NS(token="md_1", Name="Metadata", UseCount=0, Analytics=False)
    assert check_profiles_agree_with_listing("metadata", {}, [configuration_view(metadata)]) == []
    assert check_profiles_agree_with_listing("metadata", {}, [])


def _mode(token="m1", enabled=True, rate=30.0):
    return NS(
        token=token,
        Enabled=enabled,
        MaxFramerate=rate,
        MaxResolution=NS(Width=1920, Height=1080),
        Encodings=["H264", "H265"],
        Reboot=False,
    )


def test_source_modes_good_with_absent_enabled_meaning_false():
    modes = [source_mode_view(_mode()), source_mode_view(_mode("m2", enabled=None))]
    assert check_source_modes("vs_1", modes) == []


def test_source_modes_two_enabled_and_zero_rate():
    modes = [source_mode_view(_mode()), source_mode_view(_mode("m2", rate=0))]
    problems = check_source_modes("vs_1", modes)
    assert any("2 modes Enabled" in p for p in problems)
    assert any("MaxFramerate 0" in p for p in problems)
    assert check_source_modes("vs_1", [])


def test_encoder_instances():
    good = NS(Codec=[NS(Encoding="H264", Number=2), NS(Encoding="H265", Number=1)], Total=3)
    assert check_encoder_instances("vsc_1", encoder_instances_view(good)) == []
    bad = NS(Codec=[NS(Encoding="H264", Number=4)], Total=0)
    problems = check_encoder_instances("vsc_1", encoder_instances_view(bad))
    assert any("Total 0" in p for p in problems)
    assert any("H264 Number 4 outside 0..Total 0" in p for p in problems)


def _profile(vsc="vsc_1", vec="vec_1"):
    encoder = Media2Encoder(vec, "H265", 1920, 1080, 25.0, 50, "Main", 5.0)
    return Media2Profile("p1", "Main", True, encoder, vsc)


def test_ready_profile_streams():
    profile = ready_profile([Media2Profile("p0", "Audio", False, None), _profile()])
    assert profile is not None and profile.token == "p1"
    assert check_ready_profile_streams(profile, ["vsc_1"], ["vec_0", "vec_1"], 10, None) == []


def test_ready_profile_not_listed_or_not_streaming():
    problems = check_ready_profile_streams(_profile(), ["vsc_2"], [], 0, None)
    assert len(problems) == 3
    assert "no decodable video frame" in problems[-1]
    assert (
        "could not be played: 454"
        in check_ready_profile_streams(_profile(), ["vsc_1"], ["vec_1"], 0, "454")[0]
    )
