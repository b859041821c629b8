"""Device management read personas: each breaks one ONVIF-DEV-NET/USERS/READS requirement on
the wire, as any ONVIF client would see it."""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "protocols-wrong-rtsp-port",
        "GetNetworkProtocols lists RTSP enabled on a port next to the one the stream URI uses "
        "(and the device serves on)",
        ("ONVIF-DEV-NET-01",),
        "Spec-derived: GetNetworkProtocols returns the 'configured network protocols' "
        "(devicemgmt.wsdl); an RTSP port changed in a web page or by a port-forwarding rule "
        "while the ONVIF configuration keeps the old one leaves an estate audit reading ports "
        "the device does not use; what ONVIF's DEVICE-2-1-33 'GET NETWORK PROTOCOLS "
        "CONFIGURATION' reads",
        knobs=Knobs(network_protocols_rtsp_port_offset=1),
    ),
    Persona(
        "users-password-returned",
        "GetUsers returns each user's password in tt:User/Password",
        ("ONVIF-DEV-USERS-01",),
        "Spec-derived: tt:User admits an optional Password and devicemgmt.wsdl says GetUsers "
        "lists users 'and corresponding credentials', which an implementation can read as "
        "licence to echo stored passwords; uk-evidence-and-security-requirements.md (Secure by "
        "Default, credentials never disclosed) makes that a security finding",
        knobs=Knobs(users_password_returned=True),
    ),
    Persona(
        "relay-count-mismatch",
        "GetCapabilities' Device.IO.RelayOutputs counts 2 relay outputs, GetRelayOutputs lists 1",
        ("ONVIF-DEV-READS-01",),
        "Spec-derived: capability counts written for a product family rather than the model; "
        "what ONVIF's DEVICE-5-1-2 'RELAY OUTPUTS COUNT IN GETRELAYOUTPUTS AND GETCAPABILITIES' "
        "looks for",
        knobs=Knobs(relay_outputs_capability_count=2),
    ),
)
