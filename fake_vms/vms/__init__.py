"""The simulated VMS: one REST API per simulator process fronting every recording camera.

It searches the recordings store, runs export jobs that package native media with a signed
manifest, and keeps an audit log. See :mod:`fake_vms.vms.server` and ``openapi.json``.
"""
