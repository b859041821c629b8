"""Personas: replies that break the ONVIF schema but that a lenient client still reads.

Each breaks only ONVIF-DEV-SCHEMA-01 ("replies are valid against the ONVIF WSDL/XSD"): every
value a client needs is there, so every other requirement must still be judged on what the
device does. Strict SOAP stacks (zeep) refuse or misread these replies, as in the field reports
cited; the suite must read leniently and judge strictly. Knobs are in
:mod:`fake_vms.personas.knobs_wire`.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

SCHEMA_REQUIREMENT = "ONVIF-DEV-SCHEMA-01"

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "profiles-no-usecount",
        "GetProfiles (Media and Media2) omits the required UseCount of every configuration",
        (SCHEMA_REQUIREMENT,),
        "Issue 12: an independent virtual camera whose GetProfiles lacked UseCount failed every "
        "streaming check though ffprobe played it; missing required elements: "
        "python-onvif-zeep#23/#4 (GetProfiles parse failures)",
        knobs=Knobs(omit_profile_use_count=True),
    ),
    Persona(
        "undeclared-prefix",
        'GetCapabilities types its Media capabilities with xsi:type="onvif:MediaCapabilities" '
        "and never declares the onvif: prefix (well-formed XML; the QName does not resolve)",
        (SCHEMA_REQUIREMENT,),
        "Undeclared prefixes in QName values: python-zeep#1205 and home-assistant/core#45513 "
        "(\"No namespace defined for 'ter'\"), python-onvif-zeep#26/#27, onvif/specs#402",
        knobs=Knobs(undeclared_qname_prefix=True),
    ),
    Persona(
        "wrong-case-enum",
        "GetSystemDateAndTime writes the DateTimeType enumeration in lower case ('ntp')",
        (SCHEMA_REQUIREMENT,),
        "Case-sensitive values written loosely: home-assistant/core#68853 (preset token case), "
        "Laex/Delphi-ONVIF PR #4 (path case); enumerations are case-sensitive in XSD",
        knobs=Knobs(wrong_case_enum=True),
    ),
)
