"""docs/quirks.md is generated: it must match the personas, catalogue and suites as they are."""

from __future__ import annotations

from pathlib import Path

from conformance import quirks
from conformance.quirks import render_quirks_table
from fake_vms.personas import PERSONAS

DOC = Path(__file__).resolve().parent.parent / "docs" / "quirks.md"


def test_quirks_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_quirks_table(), (
        "docs/quirks.md is stale: run `cctv-conformance quirks --write docs/quirks.md`"
    )


def test_every_persona_is_caught_by_a_test() -> None:
    tests = quirks.tests_by_requirement()  # via the module: pytest would collect a test_* name
    uncaught = {
        p.name: p.breaks or tuple(p.expects)
        for p in PERSONAS.values()
        if not p.legal  # a legal oddity breaks nothing: the whole profile must pass
        and not any(tests.get(req) for req in (*p.breaks, *p.expects))
    }
    assert not uncaught, f"personas whose requirements no test checks: {uncaught}"


def test_legal_oddities_have_their_own_table() -> None:
    table = render_quirks_table()
    legal = table.split("## Legal oddities", 1)[1]
    for persona in PERSONAS.values():
        assert (f"| `{persona.name}` |" in legal) is persona.legal
