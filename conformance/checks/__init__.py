"""Pure check functions: parsed device answers in, list of problems out.

Each check is unit-tested on recorded good and bad answers (tests/checks). Suites fetch data
through conformance.clients, call a check, record evidence and assert that no problem was found.
"""
