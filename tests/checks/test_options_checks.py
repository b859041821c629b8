"""ONVIF-OPT-MEDIA-01: configurations inside their own options, on hand-made replies."""

from __future__ import annotations

from types import SimpleNamespace as NS

from conformance.checks.options import (
    check_encoder_within_options,
    check_source_within_options,
    encoder_options_view,
    encoder_view,
    source_options_view,
    source_view,
)


def _range(low, high):
    return NS(Min=low, Max=high)


def _size(w, h):
    return NS(Width=w, Height=h)


def _encoder(width=1280, height=720, fps=25, gov=50, profile="Main", quality=4.0):
    return NS(
        token="vec_1",
        Encoding="H264",
        Resolution=_size(width, height),
        Quality=quality,
        RateControl=NS(FrameRateLimit=fps, EncodingInterval=1, BitrateLimit=4096),
        H264=NS(GovLength=gov, H264Profile=profile),
        MPEG4=None,
    )


def _options(sizes=((320, 180), (1280, 720), (640, 360)), fps=(25, 25), gov=(50, 50)):
    return NS(
        QualityRange=_range(1, 5),
        JPEG=NS(
            ResolutionsAvailable=[_size(640, 360)],
            FrameRateRange=_range(1, 5),
            EncodingIntervalRange=_range(1, 1),
        ),
        MPEG4=None,
        H264=NS(
            ResolutionsAvailable=[_size(w, h) for w, h in sizes],
            GovLengthRange=_range(*gov),
            FrameRateRange=_range(*fps),
            EncodingIntervalRange=_range(1, 1),
            H264ProfilesSupported=["Baseline", "Main"],
            _vendor_extra="ignored",
        ),
        Extension=NS(H264=NS(BitrateRange=_range(64, 8192))),
    )


def test_encoder_within_options_passes_with_equal_ranges_and_any_order():
    assert (
        check_encoder_within_options(encoder_view(_encoder()), encoder_options_view(_options()))
        == []
    )


def test_encoder_resolution_absent_names_field_value_and_list():
    problems = check_encoder_within_options(
        encoder_view(_encoder()), encoder_options_view(_options(sizes=((640, 360), (320, 180))))
    )
    assert len(problems) == 1
    assert "Resolution 1280x720" in problems[0] and "640x360, 320x180" in problems[0]


def test_encoder_values_outside_ranges_each_named():
    problems = check_encoder_within_options(
        encoder_view(_encoder(fps=30, gov=100, profile="High", quality=9.0)),
        encoder_options_view(_options()),
    )
    text = "; ".join(problems)
    assert "Quality 9 outside QualityRange [1, 5]" in text
    assert "FrameRateLimit 30 outside H264 FrameRateRange [25, 25]" in text
    assert "GovLength 100 outside H264 GovLengthRange [50, 50]" in text
    assert "profile High" in text


def test_encoder_encoding_without_options_fails():
    options = _options()
    options.H264 = None
    problems = check_encoder_within_options(encoder_view(_encoder()), encoder_options_view(options))
    assert problems and "no H264 options" in problems[0] and "JPEG" in problems[0]


def test_encoder_nothing_is_not_a_pass():
    assert check_encoder_within_options({}, {})
    assert check_source_within_options({}, {})


def _source(x=0, y=0, width=1280, height=720):
    return NS(token="vsc_1", Bounds=NS(x=x, y=y, width=width, height=height))


def _source_options(width=(1280, 1280)):
    return NS(
        BoundsRange=NS(
            XRange=_range(0, 0),
            YRange=_range(0, 0),
            WidthRange=_range(*width),
            HeightRange=_range(720, 720),
        ),
        VideoSourceTokensAvailable=["vs_1"],
        Extension=NS(Rotate=None),
    )


def test_source_bounds_within_bounds_range():
    assert (
        check_source_within_options(source_view(_source()), source_options_view(_source_options()))
        == []
    )


def test_source_bounds_outside_named():
    problems = check_source_within_options(
        source_view(_source(width=1920)), source_options_view(_source_options())
    )
    assert problems == ["Bounds width 1920 outside WidthRange [1280, 1280]"]


def test_source_options_without_bounds_range_fails():
    problems = check_source_within_options(source_view(_source()), source_options_view(NS()))
    assert problems and "BoundsRange" in problems[0]
