"""Scene changes a lab makes on a simulated camera: ``POST /stimulus?kind=motion|tamper``.

Why: a real camera in a quiet room raises no motion or tampering event until something happens
in front of it. With its instrumentation off (``instrumentation: false``), the simulator is such
a camera: its motion and tampering states change only when stimulated, through this endpoint on
the camera's own HTTP port (HTTP Digest with the camera's credentials, like the snapshot URL).
A ``cctv-conformance run --stimulus CMD`` command (``python -m fake_vms.stimulate``, or curl)
calls it. With instrumentation on, the states change on their own schedule and a stimulus adds
nothing. A stimulated state stays on for :data:`HOLD_S`, then goes back off (two Changed
messages); a stimulus while the state is on is ignored, and only the latest stimuli are kept.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from urllib.parse import parse_qs

from fake_vms.http import Request, Response

STIMULUS_PATH = "/stimulus"
KINDS = ("motion", "tamper")
HOLD_S = 1.0
KEEP = 64


def instrumented(camera: object) -> bool:
    """Whether the camera raises events on its own (the site's ``instrumentation`` flag; read
    defensively, since older site configurations do not have it)."""
    return bool(getattr(camera, "instrumentation", True))


class Stimuli:
    """When each kind of scene change started, on the device clock (epoch seconds)."""

    def __init__(self) -> None:
        self.starts: dict[str, deque[float]] = {kind: deque(maxlen=KEEP) for kind in KINDS}

    def add(self, kind: str, at: float) -> bool:
        """Record a scene change at ``at``; False if that state is still on (ignored)."""
        if self.state(kind, at):
            return False
        self.starts[kind].append(at)
        return True

    def state(self, kind: str, t: float) -> bool:
        return any(start <= t < start + HOLD_S for start in self.starts.get(kind, ()))

    def changes(self, kind: str, start: float, end: float) -> list[tuple[float, bool]]:
        """(time, new state) of every change in (start, end]."""
        found = []
        for on in self.starts.get(kind, ()):
            for at, state in ((on, True), (on + HOLD_S, False)):
                if start < at <= end:
                    found.append((at, state))
        return sorted(found)

    def next_after(self, kind: str, t: float) -> float | None:
        upcoming = [at for on in self.starts.get(kind, ()) for at in (on, on + HOLD_S) if at > t]
        return min(upcoming) if upcoming else None


def stimulus_handler(
    check_digest: Callable[[str, str, str], bool],
    stimulate: Callable[[str], bool],
    record: Callable[[str, bool, str], None],
    challenge: Callable[[], Response],
) -> Callable[[Request], object]:
    """The HTTP handler: ``check_digest(method, target, authorization)`` authenticates,
    ``stimulate(kind)`` makes the scene change, ``record(label, authenticated, outcome)`` logs,
    ``challenge()`` is the camera's HTTP Digest 401."""

    async def handle(request: Request) -> Response:
        label = f"{request.method} {STIMULUS_PATH}"
        if request.method != "POST":
            return Response(405, b"Use POST", headers={"Allow": "POST"})
        authorization = request.headers.get("authorization")
        if authorization is None or not check_digest(request.method, request.target, authorization):
            record(label, False, "401")
            return challenge()
        kind = (parse_qs(request.query).get("kind") or [""])[0]
        if kind not in KINDS:
            record(label, True, "400")
            return Response(400, f"kind must be one of {', '.join(KINDS)}\n".encode())
        accepted = stimulate(kind)
        record(label, True, "200")
        return Response(
            200, (f"{kind}: " + ("started" if accepted else "already on") + "\n").encode()
        )

    return handle
