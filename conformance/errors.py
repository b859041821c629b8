"""Input errors: bad profiles, targets and options.

Every message names the file, the field and the problem, so a user can fix it without reading a
traceback, and a file with several mistakes names them all at once: a user fixing a target by
hand should not have to run the tool once per mistake. The CLI prints one line per problem and
exits with status 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

Problem = tuple[str | None, str]
"""A field (``None`` for the whole file or option) and what is wrong with it."""


class InputError(Exception):
    """A user-supplied file or option is invalid (one problem or several).

    ``field`` and ``problem`` are the first problem's; ``problems`` holds them all, in the order
    they were found (the file's order, for a schema).
    """

    def __init__(
        self,
        source: str | Path,
        field: str | None,
        problem: str,
        *,
        more: Sequence[Problem] = (),
    ) -> None:
        self.source = str(source)
        self.field = field
        self.problem = problem
        self.problems: list[Problem] = [(field, problem), *more]
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """One line a problem: ``source: field: problem``."""
        return [
            f"{self.source}: {field}: {problem}" if field else f"{self.source}: {problem}"
            for field, problem in self.problems
        ]


class InputErrors(InputError):
    """Problems in several inputs at once (options, the profile, the target file), each line
    naming its own source; ``source``, ``field`` and ``problem`` are the first one's."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.source, first.field, first.problem)

    def lines(self) -> list[str]:
        return [line for error in self.errors for line in error.lines()]


def raise_all(errors: Sequence[InputError]) -> None:
    """Raise what was found, every problem of every input, if anything was."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


def input_error(source: str | Path, problems: Sequence[Problem]) -> InputError:
    """One error carrying every problem found (at least one)."""
    (field, problem), *more = problems
    return InputError(source, field, problem, more=more)


def format_pydantic_location(loc: tuple) -> str:
    """Turn pydantic's ``('devices', 0, 'onvif')`` into ``devices[0].onvif``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def validation_problems(exc: Any, prefix: str = "") -> list[Problem]:
    """Every mistake a pydantic ``ValidationError`` found, as (field, problem).

    ``prefix`` places a nested document's fields in its file (``requirements[3]``). The input
    value is never repeated: a refused literal password must not be echoed into a log.
    """
    problems: list[Problem] = []
    for error in exc.errors():
        field = format_pydantic_location(tuple(error["loc"]))
        if prefix:
            field = f"{prefix}.{field}" if field != "(top level)" else prefix
        problems.append((field, error["msg"]))
    return problems


def validation_error(source: str | Path, exc: Any, prefix: str = "") -> InputError:
    """The error for a pydantic ``ValidationError`` in ``source``: every problem it found."""
    return input_error(source, validation_problems(exc, prefix))
