"""Feature discovery: the claimed, discovered and required views of every feature.

ONVIF's Device Test Tool discovers features before testing; the supplier's claims come from the
target file. A claim the device contradicts is a finding for procurement in its own right.
"""

from __future__ import annotations

import pytest

from conformance.discovery import discover
from conformance.outcomes import not_applicable


@pytest.mark.requirement("ONVIF-DISC-CLAIMS-01")
def test_claimed_features_are_advertised(device, evidence, conformance_run):
    found = discover(device)
    required = sorted(
        {
            e.requirement.feature
            for e in conformance_run.profile.requirements
            if e.requirement.feature
        }
    )
    table = {
        name: {**view.to_dict(), "required_by_profile": name in required}
        for name, view in found.features.items()
    }
    evidence.attach_json("features-claimed-discovered-required", table)
    evidence.measure("discovered", {k: v.discovered for k, v in found.features.items()})
    evidence.measure("codecs_in_profiles", found.codecs)
    claims = device.device.claims
    evidence.claim("features", claims.features)
    if not claims.features:
        not_applicable("the target declares no feature claims; features come from discovery")
    contradictions = [v.contradiction for v in found.features.values() if v.contradiction]
    unknown = [f for f in claims.features if f not in found.features]
    for feature in unknown:
        evidence.note(f"claimed feature {feature} cannot be discovered by this suite version")
    evidence.measure("contradictions", contradictions)
    assert not contradictions, "; ".join(contradictions)
