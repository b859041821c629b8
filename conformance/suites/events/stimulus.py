"""Scene changes for the event checks: ``cctv-conformance run --stimulus CMD|prompt``.

Why: motion and tampering events need something to happen in front of the camera, and nothing
in a passive run can make that happen. The lab says how: a command (run through the shell with
``CCTV_STIMULUS_DEVICE`` and ``CCTV_STIMULUS_KIND`` = ``motion`` or ``tamper`` in its
environment: a relay, a PTZ tour of another camera, a script that plays a scene, or for the
simulator ``python -m fake_vms.stimulate``), or ``prompt``, which asks the operator on the
terminal and so works only with a terminal attached (never on an unattended worker). Without a
stimulus, a check that saw no change says ``no stimulus:`` (not_tested), never ``fail``.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from conformance.outcomes import NO_STIMULUS_REASON

PROMPT = "prompt"
NO_STIMULUS = NO_STIMULUS_REASON  # one prefix for the whole suite (conformance.outcomes)
"""Prefix of the not_tested reason when no scene change could be made (a contract)."""
COMMAND_TIMEOUT_S = 60.0
DEVICE_ENV = "CCTV_STIMULUS_DEVICE"
KIND_ENV = "CCTV_STIMULUS_KIND"
KINDS = {"motion": "motion in the scene", "tamper": "tampering (cover, defocus or blind the lens)"}
TTY = "/dev/tty"


def simulator_command(ready_file: object, python: str | None = None) -> str:
    """The ``--stimulus`` command for cameras simulated by fake_vms (self-test, demo, tests):
    ``python -m fake_vms.stimulate`` with the device and kind from the environment."""
    import sys

    return (
        f'"{python or sys.executable}" -m fake_vms.stimulate --ready-file "{ready_file}" '
        f'--device "${DEVICE_ENV}" --kind "${KIND_ENV}"'
    )


def run_stimulus(request: object) -> Stimulus:
    """The run's ``--stimulus`` (none by default). A helper, not a fixture: a conftest.py under
    the suites would make pytest subset its hooks, which the run's plugin object cannot join."""
    return Stimulus(request.config.getoption("stimulus", None))  # type: ignore[attr-defined]


class NoStimulus(Exception):
    """The stimulus could not be made; the message says why (for a ``no stimulus:`` reason)."""


@dataclass(frozen=True)
class Stimulus:
    """How this run makes a scene change (``spec`` is the ``--stimulus`` value, or None)."""

    spec: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.spec)

    def describe(self) -> str:
        if not self.spec:
            return "no --stimulus was given"
        return "the operator (--stimulus prompt)" if self.spec == PROMPT else f"`{self.spec}`"

    def make(self, device: str, kind: str) -> str:
        """Make a ``kind`` scene change in front of ``device``; what happened, for the evidence.

        Raises :class:`NoStimulus` when there is no stimulus or it could not be made.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown stimulus kind {kind!r}")
        if not self.spec:
            raise NoStimulus("no --stimulus was given")
        if self.spec == PROMPT:
            return _ask_operator(device, kind)
        return _run_command(self.spec, device, kind)


def _run_command(command: str, device: str, kind: str) -> str:
    env = {**os.environ, DEVICE_ENV: device, KIND_ENV: kind}
    try:
        proc = subprocess.run(  # noqa: S602 - the lab's own command line, run as they wrote it
            command,
            shell=True,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise NoStimulus(
            f"the --stimulus command did not finish within {COMMAND_TIMEOUT_S:g} s"
        ) from None
    output = (proc.stdout + proc.stderr).strip()[-500:]
    if proc.returncode != 0:
        raise NoStimulus(
            f"the --stimulus command exited {proc.returncode}: {output or '(no output)'}"
        )
    return f"--stimulus command ({KIND_ENV}={kind}, {DEVICE_ENV}={device}) exited 0: {output}"


def _ask_operator(device: str, kind: str) -> str:
    """Ask on the controlling terminal (pytest captures stdin and stdout; /dev/tty is the
    operator's own terminal, and there is none on a worker or in CI)."""
    try:
        with open(TTY, "r+", encoding="utf-8") as tty:  # noqa: PTH123
            tty.write(
                f"\ncctv-conformance: make {KINDS[kind]} in front of camera {device} now, "
                "then press Enter (or type 'skip' and Enter if you cannot): "
            )
            tty.flush()
            answer = tty.readline().strip().lower()
    except OSError:
        raise NoStimulus("--stimulus prompt needs a terminal, and this run has none") from None
    if answer == "skip":
        raise NoStimulus(f"the operator could not make {KINDS[kind]}")
    return f"the operator made {KINDS[kind]} (--stimulus prompt)"
