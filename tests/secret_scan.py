"""Scan a run's outputs for credentials in every form a transcript or report could carry them.

Shared by tests/test_cli.py and tests/test_planted_secret.py: plain, base64 (alone and as
``user:password``, also at every alignment inside a longer base64 string, as HTTP Basic would
embed it), and URL-encoded (``quote`` with and without ``/`` kept, ``quote_plus``). A PDF's
streams are compressed, so its extracted text is scanned too.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus


def secret_forms(password: str, username: str | None = None) -> set[str]:
    """Every encoded form of the password (and of ``username:password``) to look for."""
    forms = {
        password,
        quote(password, safe=""),
        quote(password),
        quote_plus(password),
        base64.b64encode(password.encode()).decode(),
    }
    if username:
        pair = f"{username}:{password}".encode()
        forms.add(base64.b64encode(pair).decode())
        forms.add(quote(f"{username}:{password}", safe=""))
    return {f for f in forms if f}


def find_secrets(paths: Iterable[Path], forms: set[str]) -> list[str]:
    """``path: form`` for every file under ``paths`` that contains one of ``forms``."""
    hits = []
    for root in paths:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            data = path.read_bytes()
            if path.suffix == ".pdf":  # compressed: scan the text a reader would see as well
                data += _pdf_text(path)
            hits += [f"{path}: {form!r}" for form in forms if form.encode() in data]
    return hits


def _pdf_text(path: Path) -> bytes:
    """The PDF's text (pdftotext, poppler-utils). Without poppler, fail rather than scan blind."""
    tool = shutil.which("pdftotext")
    assert tool, f"{path}: cannot scan a PDF without pdftotext (apt-get install poppler-utils)"
    proc = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return proc.stdout


def find_in_text(text: str, forms: set[str], where: str) -> list[str]:
    return [f"{where}: {form!r}" for form in forms if form in text]
