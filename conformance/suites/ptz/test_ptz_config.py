"""ONVIF PTZ (ver20): nodes, configurations and their options agree; GetNode's unknown-token
fault. Read-only: nothing here changes the device."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.answers import answer_of
from conformance.checks.faults import describe, invalid_token
from conformance.checks.ptz_config import (
    GET_NODE_PROBE,
    check_consistency,
    check_unknown_node_fault,
    configuration_view,
    node_view,
    options_view,
)
from conformance.clients.onvif import OnvifFault
from conformance.suites.ptz.ptz_helpers import require_ptz


def _single(read) -> dict[str, Any] | str:
    """One GetNode/GetConfiguration/GetConfigurationOptions read: its view, or the fault's text
    (a refused single read of a listed token is itself a disagreement)."""
    try:
        return read()
    except OnvifFault as fault:
        return f"SOAP fault {fault}"


@pytest.mark.requirement("PTZ-CONS-01")
def test_nodes_configurations_and_options_agree(device, evidence, conformance_run, request):
    require_ptz(device, conformance_run, request)
    nodes = [node_view(n) for n in device.call("ptz", "GetNodes") or []]
    evidence.measure("nodes", nodes)
    fetched_nodes = {
        n["token"]: _single(
            lambda t=n["token"]: node_view(device.call("ptz", "GetNode", NodeToken=t))
        )
        for n in nodes
    }
    evidence.measure("get_node", fetched_nodes)
    configurations = [configuration_view(c) for c in device.call("ptz", "GetConfigurations") or []]
    evidence.measure("configurations", configurations)
    fetched_configurations = {
        c["token"]: _single(
            lambda t=c["token"]: configuration_view(
                device.call("ptz", "GetConfiguration", PTZConfigurationToken=t)
            )
        )
        for c in configurations
    }
    evidence.measure("get_configuration", fetched_configurations)
    options = {
        c["token"]: _single(
            lambda t=c["token"]: options_view(
                device.call("ptz", "GetConfigurationOptions", ConfigurationToken=t)
            )
        )
        for c in configurations
    }
    evidence.measure("configuration_options", options)
    problems = check_consistency(
        nodes, fetched_nodes, configurations, fetched_configurations, options
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("PTZ-FAULT-01")
def test_get_node_unknown_token_faults(device, evidence, conformance_run, request):
    require_ptz(device, conformance_run, request)
    known = {str(n.token) for n in device.call("ptz", "GetNodes") or []}
    evidence.measure("nodes", sorted(known))
    token = invalid_token()
    while token in known:
        token = invalid_token()
    evidence.measure("invalid token", token)
    evidence.expect("answer", GET_NODE_PROBE.expected())
    answer = answer_of(lambda: device.call("ptz", "GetNode", NodeToken=token))
    evidence.measure("answer", describe(answer))
    problems = check_unknown_node_fault(answer)
    assert not problems, "; ".join(problems)
