"""Wire-shape knobs: how a device writes its SOAP and HTTP, not what it says.

Two kinds. Legal oddities (a conformant device may do this, and the suite must cope): services
on another port and path, other namespace prefixes, long tokens, extra extension content, a
short HTTP keep-alive. Schema-invalid replies that a lenient client still reads (only
ONVIF-DEV-SCHEMA-01 may fail): a missing required element, an undeclared prefix in a QName
value, an enumeration in the wrong case. Behaviours are in :mod:`fake_vms.onvif.shaping` (the
reply rewriting) and :mod:`fake_vms.onvif.server` (the second listener, the idle timeout).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WireKnobs:
    """SOAP and HTTP wire shape; every default is the simulator's ordinary shape."""

    services_elsewhere: bool = False
    """Every service but Device is served by a second HTTP listener on another port, below
    another path; GetServices and GetCapabilities advertise those addresses."""
    soap_prefixes: bool = False
    """Replies use other namespace prefixes (``SOAP-ENV:``, ``tt1:``, a default namespace for
    the operation's own), declared correctly; QName values are rewritten to match."""
    long_tokens: bool = False
    """Profile and configuration tokens are 64 characters long, with ``.``, ``-`` and ``_``."""
    extra_elements: bool = False
    """Replies carry vendor elements and attributes where the schema allows extension."""
    http_idle_timeout_s: float = 30.0
    """The HTTP server closes a keep-alive connection idle this long (embedded servers: ~0.2 s)."""
    omit_profile_use_count: bool = False
    """GetProfiles leaves out the required ``UseCount`` of every configuration."""
    undeclared_qname_prefix: bool = False
    """One reply (GetCapabilities) carries an ``xsi:type`` QName whose prefix is not declared."""
    wrong_case_enum: bool = False
    """GetSystemDateAndTime writes the DateTimeType enumeration in lower case (``ntp``)."""
