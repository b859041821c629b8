"""The simulated VMS's accounts with roles: the operator creates a viewer, whose login works and
whose export is refused (403, audited) before anything else is looked at; deleted, it is gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conformance.clients.vms import ExportRequest, VmsApiError
from conformance.clients.vms_fakevms import FakeVmsAdapter
from fake_vms.host import SimulatorThread
from fake_vms.site import Site, VmsSiteConfig


def test_viewer_may_log_in_and_search_but_not_export() -> None:
    with SimulatorThread(Site("users", (), VmsSiteConfig(ingest=True))) as sim:
        vms = sim.host.ready()["vms"]
        operator = FakeVmsAdapter(vms["url"], vms["username"], vms["password"])
        operator.create_viewer("cctv-viewer", "viewer-secret-1")
        viewer = FakeVmsAdapter(vms["url"], "cctv-viewer", "viewer-secret-1")
        assert viewer.list_cameras() == []
        now = datetime.now(UTC)
        with pytest.raises(VmsApiError) as refused:
            viewer.create_export(ExportRequest(("x",), now - timedelta(seconds=5), now, "v"))
        assert refused.value.status == 403
        with pytest.raises(VmsApiError) as forbidden:
            viewer.create_viewer("other", "pw")
        assert forbidden.value.status == 403
        actions = [e.action for e in operator.audit_log()]
        assert "user.create" in actions and "export.refused" in actions
        assert "viewer-secret-1" not in repr(operator.audit_log())
        operator.delete_user("cctv-viewer")
        with pytest.raises(VmsApiError):
            FakeVmsAdapter(vms["url"], "cctv-viewer", "viewer-secret-1").list_cameras()
