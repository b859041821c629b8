"""ONVIF-AUDIO-CONS-*: audio configuration views that agree, on hand-made replies."""

from __future__ import annotations

from types import SimpleNamespace as NS

from conformance.checks.audio import (
    check_decoder_options,
    check_physical_tokens,
    check_use_counts,
    check_views_agree,
    check_within_options,
    configuration_view,
    options_view,
)


def _encoder(token="aec_1", rate=8, bitrate=64, encoding="G711", use_count=1):
    return NS(
        token=token,
        Name="AudioEncoder",
        UseCount=use_count,
        Encoding=encoding,
        Bitrate=bitrate,
        SampleRate=rate,
        Multicast=NS(Port=0),
        SessionTimeout="PT60S",
        _vendor="ignored",
    )


def _media1_encoder_options(rates=(8, 16), bitrates=(64,), encoding="G711"):
    """tt:AudioEncoderConfigurationOptions: one Options per codec (zeep's IntItems objects)."""
    return NS(
        Options=[
            NS(Encoding="AAC", BitrateList=NS(Items=[32]), SampleRateList=NS(Items=[16])),
            NS(
                Encoding=encoding,
                BitrateList=NS(Items=list(bitrates)),
                SampleRateList=NS(Items=list(rates)),
            ),
        ]
    )


def test_views_that_agree_pass_in_any_order():
    listing = [configuration_view("encoder", e) for e in (_encoder("b"), _encoder("aec_1"))]
    others = [
        ("GetAudioEncoderConfiguration(aec_1)", configuration_view("encoder", _encoder())),
        ("profile p1 encoder", configuration_view("encoder", _encoder())),
    ]
    assert check_views_agree("encoder", listing, others) == []


def test_a_differing_field_is_named_with_both_values():
    listing = [configuration_view("encoder", _encoder(rate=16))]
    problems = check_views_agree(
        "encoder", listing, [("GetAudioEncoderConfiguration(aec_1)", _view(_encoder()))]
    )
    assert problems == [
        "GetAudioEncoderConfiguration(aec_1) (aec_1): SampleRate 8 where the listing says 16"
    ]


def _view(configuration):
    return configuration_view("encoder", configuration)


def test_a_field_one_view_leaves_out_is_not_judged():
    listing = [{"token": "aoc_1", "Name": "Out", "SendPrimacy": "x", "OutputLevel": 5}]
    assert check_views_agree("output", listing, [("p", {"token": "aoc_1", "OutputLevel": 5})]) == []


def test_a_profile_configuration_missing_from_the_listing_fails():
    problems = check_views_agree(
        "source",
        [{"token": "asc_1", "Name": "A", "UseCount": 1, "SourceToken": "AudioSource_1"}],
        [("profile p1 source", {"token": "asc_9", "Name": "A"}), ("filtered", None)],
    )
    assert "asc_9" in problems[0] and "not in the listing" in problems[0]
    assert problems[1] == "filtered: no configuration came back"


def test_media2_views_leave_use_count_out():
    view = configuration_view("encoder", _encoder(use_count=7), use_count=False)
    assert "UseCount" not in view and view["Bitrate"] == 64


def test_use_count_below_the_profiles_holding_it_fails_above_is_legal():
    listing = [{"token": "a", "UseCount": 1}, {"token": "b", "UseCount": 5}]
    assert check_use_counts(listing, {"a": 1, "b": 2}) == []
    assert check_use_counts(listing, {"a": 2}) == ["a: UseCount 1 but 2 media profiles hold it"]


def test_encoder_within_media1_options_and_outside_named():
    options = options_view("encoder", _media1_encoder_options())
    assert check_within_options("encoder", _view(_encoder()), options) == []
    problems = check_within_options("encoder", _view(_encoder(rate=48, bitrate=128)), options)
    assert problems == [
        "aec_1: Bitrate 128 not in the G711 BitrateList [64]",
        "aec_1: SampleRate 48 not in the G711 SampleRateList [8, 16]",
    ]


def test_encoder_encoding_absent_from_options_fails():
    options = options_view("encoder", _media1_encoder_options(encoding="G726"))
    problems = check_within_options("encoder", _view(_encoder()), options)
    assert problems and "Encoding G711 not among" in problems[0] and "AAC, G726" in problems[0]


def test_media2_options_are_a_list_and_encodings_compare_without_case():
    options = options_view(
        "encoder",
        [NS(Encoding="pcmu", BitrateList=NS(Items=[64]), SampleRateList=NS(Items=[8]))],
    )
    assert check_within_options("encoder", _view(_encoder(encoding="PCMU")), options) == []


def test_source_and_output_tokens_and_level():
    source = {"token": "asc_1", "SourceToken": "AudioSource_1"}
    good = options_view("source", NS(InputTokensAvailable=["x", "AudioSource_1"]))
    assert check_within_options("source", source, good) == []
    bad = options_view("source", NS(InputTokensAvailable=["x"]))
    assert check_within_options("source", source, bad) == [
        "asc_1: SourceToken 'AudioSource_1' not among InputTokensAvailable [x]"
    ]
    output = {"token": "aoc_1", "OutputToken": "AudioOutput_1", "OutputLevel": 150}
    options = options_view(
        "output",
        NS(OutputTokensAvailable=["AudioOutput_1"], OutputLevelRange=NS(Min=0, Max=100)),
    )
    assert check_within_options("output", output, options) == [
        "aoc_1: OutputLevel 150 outside OutputLevelRange [0, 100]"
    ]


def test_source_tokens_among_the_physical_inputs():
    views = [{"token": "asc_1", "SourceToken": "AudioSource_1"}]
    assert check_physical_tokens("source", views, ["mic_2", "AudioSource_1"]) == []
    assert check_physical_tokens("source", views, ["mic_2"]) == [
        "asc_1: SourceToken 'AudioSource_1' is not among GetAudioSources [mic_2]"
    ]
    assert check_physical_tokens("output", [{"token": "aoc_1"}], None) == [
        "GetAudioOutputs is not implemented, yet audio output configurations exist"
    ]


def test_decoder_options_need_a_format():
    options = options_view(
        "decoder", [NS(Encoding="PCMU", BitrateList=None, SampleRateList=NS(Items=[8]))]
    )
    assert check_decoder_options("adc2_1", options) == []
    assert check_decoder_options("adc2_1", options_view("decoder", [])) == [
        "adc2_1: GetAudioDecoderConfigurationOptions offers no decoding format"
    ]


def test_nothing_is_not_a_pass():
    assert check_views_agree("encoder", [], [])
    assert check_views_agree("encoder", [{"token": "a"}], [])
    assert check_use_counts([], {})
    assert check_within_options("encoder", {}, {})
    assert check_within_options("source", {}, {})
    assert check_physical_tokens("source", [], [])
