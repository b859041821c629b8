"""The hostile-device battery in the project's tests (issue 5, point 2).

Every hostile case must be recorded as fail or inconclusive with its reason, within a small
multiple of the configured timeout, while the good camera in the same run still passes and the
run completes. The whole battery is one suite run (about 20 s with a 1 s timeout).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_battery import CASES, GOOD_REQUIREMENTS, BatteryRun, run_battery

from fake_vms.personas import PERSONAS


@pytest.fixture(scope="module")
def battery(tmp_path_factory: pytest.TempPathFactory) -> BatteryRun:
    return run_battery(tmp_path_factory.mktemp("hostile"))


def test_every_hostile_persona_has_a_case() -> None:
    hostile = {name for name, persona in PERSONAS.items() if persona.hostile}
    assert hostile == {case.persona for case in CASES}


def test_run_completes(battery: BatteryRun) -> None:
    assert battery.exit_code == 1, battery.log[-3000:]  # completed; the hostile devices fail
    assert battery.seconds < 90, f"battery took {battery.seconds:.0f} s"


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.persona for c in CASES])
def test_hostile_case_handled(battery: BatteryRun, index: int) -> None:
    verdict = battery.verdicts[index]
    assert verdict.handled, f"{verdict.case.persona}: {verdict.problems}"


def test_good_device_in_the_same_run_passes(battery: BatteryRun) -> None:
    assert battery.good == dict.fromkeys(GOOD_REQUIREMENTS, "pass"), battery.log[-3000:]


def test_no_dangerous_parse(tmp_path: Path) -> None:
    """The XXE and bomb payloads are refused by the suite's XML parser before any expansion."""
    from conformance.clients.onvif import OnvifProtocolError, parse_xml_safely
    from fake_vms.hostile import XML_BOMB, XXE

    for payload in (XML_BOMB, XXE):
        with pytest.raises(OnvifProtocolError, match="DOCTYPE"):
            parse_xml_safely(payload)
