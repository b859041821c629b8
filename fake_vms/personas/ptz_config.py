"""Personas: PTZ nodes and configurations that a client reads inconsistently.

Each turns the camera's PTZ on, since a PTZ quirk needs a PTZ camera to show.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PTZ_CAMERA = {"ptz": True}

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "ptz-config-orphan-node",
        "GetConfigurations and GetConfiguration name a NodeToken that GetNodes does not list",
        ("PTZ-CONS-01",),
        "DTT PTZ CONFIGURATIONS AND PTZ NODES CONSISTENCY (PTZ-2-1-6): a configuration's node "
        "reference left at a default ('0') while the node has its own token",
        knobs=Knobs(ptz_config_node_token="0"),
        camera_overrides=PTZ_CAMERA,
    ),
    Persona(
        "ptz-get-node-any-token",
        "GetNode answers any NodeToken, even one the device never issued, with its node",
        ("PTZ-FAULT-01",),
        "DTT SOAP FAULT MESSAGE (PTZ-1-1-4): single-node firmwares that ignore the token",
        knobs=Knobs(ptz_get_node_any_token=True),
        camera_overrides=PTZ_CAMERA,
    ),
)
