"""Traceability data: which ONVIF device test cases the suite's checks correspond to."""
