"""Input errors: bad profiles, targets and options.

Every message names the file, the field and the problem, so a user can fix it without reading a
traceback. The CLI turns these into exit status 2.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A user-supplied file or option is invalid."""

    def __init__(self, source: str | Path, field: str | None, problem: str) -> None:
        self.source = str(source)
        self.field = field
        self.problem = problem
        where = f"{self.source}: {field}" if field else self.source
        super().__init__(f"{where}: {problem}")


def format_pydantic_location(loc: tuple) -> str:
    """Turn pydantic's ``('devices', 0, 'onvif')`` into ``devices[0].onvif``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"
