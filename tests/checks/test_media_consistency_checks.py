"""ONVIF-CONS-MEDIA-01/02: Media (ver10) views that must agree, on hand-made replies."""

from __future__ import annotations

from types import SimpleNamespace as NS

from lxml import etree

from conformance.checks.consistency import (
    ConfigurationViews,
    check_configuration_views,
    check_guaranteed_instances,
    check_profile_copies,
    check_profile_gets,
    check_source_tokens,
    differences,
    guaranteed_view,
    plain,
)


def _vsc(token="vsc_1", use_count=1, width=1280, source="vs_1"):
    return NS(
        token=token,
        Name="VideoSource",
        UseCount=use_count,
        SourceToken=source,
        Bounds=NS(x=0, y=0, width=width, height=720),
        Extension=None,
        _attr_1={},
    )


def _profile(token="p1", vsc=None, width=1280):
    return NS(
        token=token, fixed=True, Name=token, VideoSourceConfiguration=vsc or _vsc(width=width)
    )


def test_plain_drops_absent_and_vendor_extensions():
    vendor = etree.fromstring('<v:Hint xmlns:v="urn:vendor">x</v:Hint>')
    view = plain(
        NS(a=None, b=[], c=NS(d=2), e=[vendor], f={"k": None}, _attr_1={"{urn:v}hint": "x"})
    )
    assert view == {"c": {"d": 2}, "e": ['<v:Hint xmlns:v="urn:vendor">x</v:Hint>']}
    with_vendor = NS(**vars(_vsc()), _value_1=[vendor])
    assert plain(with_vendor) == plain(_vsc())


def test_differences_name_the_path():
    found = differences({"Bounds": {"width": 1280}, "Name": "a"}, {"Bounds": {"width": 640}})
    assert found == ["Bounds.width: 1280 vs 640", "Name: 'a' vs absent"]


def test_profile_gets_agree_ignoring_use_count_left_out_of_one():
    listed = plain(_profile())
    del listed["VideoSourceConfiguration"]["UseCount"]  # a schema defect, judged elsewhere
    assert check_profile_gets({"p1": listed}, {"p1": plain(_profile())}) == []


def test_profile_get_differing_is_named():
    problems = check_profile_gets({"p1": plain(_profile())}, {"p1": plain(_profile(width=640))})
    assert len(problems) == 1
    assert "profile p1" in problems[0] and "VideoSourceConfiguration.Bounds.width" in problems[0]


def test_profile_get_missing_and_nothing_fail():
    assert check_profile_gets({"p1": plain(_profile())}, {}) == [
        "profile p1: GetProfile returned no profile"
    ]
    assert check_profile_gets({}, {})


def _views(profiles, listed, single=None):
    listed_views = {c.token: plain(c) for c in listed}
    return ConfigurationViews(
        "video source",
        {p.token: plain(p.VideoSourceConfiguration) for p in profiles},
        listed_views,
        listed_views if single is None else {c.token: plain(c) for c in single},
    )


def test_views_agree_with_shared_configuration_and_unused_extra():
    shared = _vsc(use_count=2)
    profiles = [_profile("p1", shared), _profile("p2", shared)]
    listed = [_vsc("vsc_2", use_count=0), _vsc(use_count=2)]  # any order, one unused
    assert check_configuration_views(_views(profiles, listed)) == []


def test_views_configuration_not_listed():
    problems = check_configuration_views(_views([_profile()], [_vsc("other", use_count=0)]))
    assert any("vsc_1 of profile p1 is not listed by GetVideoSourceConfigurations" in p
               for p in problems)  # fmt: skip


def test_views_listed_differs_from_profile_and_from_single():
    problems = check_configuration_views(
        _views([_profile()], [_vsc(width=640)], single=[_vsc(width=320)])
    )
    text = "; ".join(problems)
    assert "profile p1 and GetVideoSourceConfigurations differ" in text
    assert "GetVideoSourceConfigurations and GetVideoSourceConfiguration differ" in text
    assert "Bounds.width: 640 vs 320" in text


def test_views_use_count_wrong_or_absent():
    assert check_configuration_views(_views([_profile()], [_vsc(use_count=2)])) == [
        "video source configuration vsc_1: UseCount 2 but 1 profile(s) use it"
    ]
    listed = NS(token="vsc_1", Name="VideoSource", SourceToken="vs_1")
    problems = check_configuration_views(_views([], [listed]))
    assert problems == ["video source configuration vsc_1: UseCount None but 0 profile(s) use it"]


def test_views_single_missing_and_nothing_listed():
    views = _views([], [_vsc(use_count=0)], single=[])
    assert check_configuration_views(views) == [
        "video source configuration vsc_1: GetVideoSourceConfiguration returned nothing"
    ]
    assert check_configuration_views(ConfigurationViews("video encoder", {}, {}, {})) == [
        "GetVideoEncoderConfigurations listed no video encoder configuration"
    ]


def test_source_tokens():
    assert check_source_tokens({"vsc_1": "vs_1"}, ["vs_2", "vs_1"]) == []
    problems = check_source_tokens({"vsc_1": "vs_9"}, ["vs_1"])
    assert problems and "SourceToken 'vs_9'" in problems[0] and "[vs_1]" in problems[0]
    assert check_source_tokens({}, [])


def test_guaranteed_instances_pass_with_offered_or_zero_encodings():
    view = guaranteed_view(NS(TotalNumber=2, JPEG=0, H264=2, MPEG4=None))
    assert view == {"TotalNumber": 2, "JPEG": 0, "H264": 2}
    assert check_guaranteed_instances({"vsc_1": view}, {"H264"}) == []


def test_guaranteed_instances_total_zero_negative_and_unoffered():
    problems = check_guaranteed_instances(
        {"vsc_1": {"TotalNumber": 0, "MPEG4": -1, "JPEG": 1}}, {"H264"}
    )
    text = "; ".join(problems)
    assert "TotalNumber 0, expected at least 1" in text
    assert "MPEG4 -1 < 0" in text
    assert "1 JPEG instance(s) guaranteed, but no GetVideoEncoderConfigurationOptions" in text
    assert check_guaranteed_instances({"vsc_1": {}}, {"H264"}) == [
        "video source configuration vsc_1: TotalNumber None, expected at least 1"
    ]


def test_guaranteed_instances_nothing_is_not_a_pass():
    assert check_guaranteed_instances({}, {"H264"})
    assert check_guaranteed_instances({"vsc_1": {"TotalNumber": 1}}, set())


def test_profile_copies_of_ptz_configurations():
    ptz = NS(token="ptz_1", Name="PTZ", UseCount=1, NodeToken="node_1", DefaultPTZTimeout="PT5S")
    listed = {"ptz_1": plain(NS(**{**vars(ptz), "UseCount": 3}))}  # UseCount judged elsewhere
    assert check_profile_copies("PTZ", "GetConfigurations", {"p1": plain(ptz)}, listed) == []
    other = {"ptz_1": plain(NS(**{**vars(ptz), "NodeToken": "node_2"}))}
    problems = check_profile_copies("PTZ", "GetConfigurations", {"p1": plain(ptz)}, other)
    assert problems and "NodeToken: 'node_1' vs 'node_2'" in problems[0]
    missing = check_profile_copies("PTZ", "GetConfigurations", {"p1": plain(ptz)}, {"x": {}})
    assert missing == ["PTZ configuration ptz_1 of profile p1 is not listed by GetConfigurations"]
    assert check_profile_copies("PTZ", "GetConfigurations", {}, {})
