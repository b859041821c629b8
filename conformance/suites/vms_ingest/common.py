"""What the vms-ingest tests share: the ingest session and pair fixtures, the pair's added
camera, its expected stream, the downloaded recording's facts and the pair's export (each
computed once per pair).

Why the session is kept in the pytest config's stash: the fixtures are imported into both test
modules (the suite has no conftest.py: the plugin's run object cannot sit beside conftest
plugins), and a session-scoped fixture imported into two modules is two fixtures; both return
the one ingest session stored here, closed when pytest unconfigures.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from conformance.checks.vms_ingest import ExpectedStream
from conformance.clients.recorded_media import read_media_facts
from conformance.clients.vms import ExportRequest, VmsUnsupported
from conformance.outcomes import not_applicable, not_claimed
from conformance.suites.vms_ingest.ingest import CameraIngest, IngestSession
from conformance.vms_units import VmsCameraUnderTest

SESSION_KEY = pytest.StashKey[IngestSession]()


@pytest.fixture(scope="session")
def ingest_session(request: pytest.FixtureRequest) -> Iterator[IngestSession]:
    """Started on first use (only when a vms-ingest test runs), closed when pytest ends."""
    from conformance.plugin import RUN_KEY

    config = request.config
    session = config.stash.get(SESSION_KEY, None)
    if session is None:
        run = config.stash[RUN_KEY]
        pairs = [d for d in run.duts if isinstance(d, VmsCameraUnderTest)]
        if not pairs:
            pytest.skip("not a VMS target")
        params = {e.id: dict(e.parameters) for e in run.profile.requirements}
        session = IngestSession(pairs[0].vms, pairs[0].site_file, run.timeout, params)
        config.stash[SESSION_KEY] = session
        config.add_cleanup(session.close)
        session.open()
    yield session


@pytest.fixture
def ingest(device, request: pytest.FixtureRequest) -> CameraIngest:
    """The pair's camera as ingested by the VMS; not_applicable for a camera target."""
    if not isinstance(device, VmsCameraUnderTest):
        not_applicable("this requirement judges a VMS ingesting cameras; the target is a camera")
    session: IngestSession = request.getfixturevalue("ingest_session")
    if session.error is not None:
        raise session.error
    return session.cameras[device.camera]


def added(ingest, evidence) -> None:
    """A camera the VMS refused to add fails the pair's requirement with the VMS's answer."""
    evidence.claim("camera", ingest.camera.name)
    evidence.claim("transport", ingest.transport)
    if isinstance(ingest.error, VmsUnsupported):
        not_claimed(f"the VMS adapter does not offer ingest: {ingest.error}")
    if ingest.error is not None:
        evidence.note(f"the VMS could not ingest the camera: {ingest.error}")
        raise ingest.error


def expected_stream(ingest) -> ExpectedStream:
    camera = ingest.camera
    width, height = camera.stream_size
    return ExpectedStream(camera.codec, width, height, camera.stream_fps)


def recorded_facts(ingest, evidence, session):
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    path = session.download(ingest)
    facts = ingest.cache.get("facts") or read_media_facts(path)
    ingest.cache["facts"] = facts
    evidence.measure("recording", facts.to_dict())
    return facts


def export_once(ingest, session):
    """Export the first recording's range once; the package is shared by two requirements."""
    if "export" not in ingest.cache:
        seg = ingest.segments[0]
        adapter = session.adapter
        # Strictly inside one recording (a second in from each end), so the package is judged
        # against that recording alone.
        inner = (seg.start + timedelta(seconds=1), seg.end - timedelta(seconds=1))
        ingest.cache["export_asked"] = datetime.now(UTC)
        job = adapter.create_export(
            ExportRequest((ingest.vms_id,), *inner, operator="cctv-conformance")
        )
        ingest.cache["export_job"] = job
        status = adapter.wait_for_export(job, timeout_s=60)
        if status.state != "done":
            raise AssertionError(f"export job {job} {status.state}: {status.error}")
        folder = session.work / ingest.camera.name / "export"
        ingest.cache["export"] = adapter.download_export(job, folder)
    return ingest.cache["export"]
