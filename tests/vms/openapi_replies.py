"""Judging the simulated VMS's replies against its committed OpenAPI document (shared by the
export-API and ingest-API tests), and the hypothesis values thrown at its JSON bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

OPENAPI = Path(__file__).resolve().parents[2] / "fake_vms" / "vms" / "openapi.json"
DOC: dict[str, Any] = json.loads(OPENAPI.read_text(encoding="utf-8"))

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
"""Any JSON value, small: what a careless or hostile client may put in a field."""


def schema_validator(ref: dict[str, Any]) -> Draft202012Validator:
    """Validate against a response schema, resolving #/components refs in the document."""
    return Draft202012Validator({**DOC, **ref})


def conforms(path: str, method: str, reply: requests.Response) -> None:
    """The reply's status is documented for the operation and its body matches the schema
    (a documented reply without content, e.g. 204, is only checked for its status)."""
    documented = DOC["paths"][path][method]["responses"]
    assert str(reply.status_code) in documented, (path, method, reply.status_code, reply.text)
    content = documented[str(reply.status_code)].get("content", {})
    if not content:
        return
    media_type = reply.headers.get("Content-Type", "").split(";")[0]
    assert media_type in content, (path, reply.status_code, media_type)
    if media_type == "application/json":
        errors = list(schema_validator(content[media_type]["schema"]).iter_errors(reply.json()))
        assert not errors, (path, reply.status_code, [e.message for e in errors])
