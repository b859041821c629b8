"""GStreamer's RTSP server (tests/gstreamer/gst_rtsp_server.py) as a subprocess under Debian's
system Python, which has the GObject bindings the tox venv lacks.

The tests skip, with the reason, only where the Debian packages (gstreamer1.0-rtsp,
gir1.2-gst-rtsp-server-1.0, python3-gi, the good/bad/ugly plugins, gstreamer1.0-libav,
gstreamer1.0-tools) or FFmpeg's ffprobe are not installed; .ci/run installs them.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
SERVER = Path(__file__).with_name("gst_rtsp_server.py")
RECORDING_START = "1900-01-01T00:00:00+00:00"
"""GStreamer's ONVIF media reads ``Range: clock=`` as time since the NTP epoch on the media's
own timeline (its test-onvif-server example serves an archive from 1900 to 2000), so the clip's
first frame is 1900-01-01T00:00:00Z and the 0xABAC NTP times are stamped on the same timeline."""
_IMPORT = (
    "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0'); "
    "from gi.repository import Gst, GstRtspServer; Gst.init(None); "
    "missing = [e for e in ('x264enc', 'x265enc', 'rtph264pay', 'rtph265pay', 'rtponviftimestamp',"
    " 'qtdemux', 'mp4mux', 'rtspsrc', 'avdec_h264') if Gst.ElementFactory.find(e) is None]; "
    "assert not missing, missing"
)


def _environment_problem() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} (Debian's system Python with python3-gi) is not installed"
    for tool in ("gst-launch-1.0", "ffprobe"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (gstreamer1.0-tools, ffmpeg)"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", _IMPORT], capture_output=True, text=True, timeout=60
    )
    if probe.returncode:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return f"GStreamer RTSP server or plugins not importable under {SYSTEM_PYTHON}: {last}"
    return None


@pytest.fixture(scope="session")
def gst_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Start the server, wait for its ready file (at most 60 s), stop it after the session."""
    problem = _environment_problem()
    if problem:
        pytest.skip(f"environment: {problem}")
    work = tmp_path_factory.mktemp("gst-rtsp")
    ready_file = work / "ready.json"
    log = (work / "server.log").open("wb")
    process = subprocess.Popen(
        [SYSTEM_PYTHON, str(SERVER), "--ready-file", str(ready_file), "--workdir", str(work),
         "--recording-start", RECORDING_START],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not ready_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                output = (work / "server.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"GStreamer RTSP server did not become ready:\n{output}")
            time.sleep(0.1)
        yield json.loads(ready_file.read_text())
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
