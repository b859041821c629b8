"""Distributed audits: one device's audit per Celery task, Redis as broker and results store.

Why: an authority's cameras sit on its own network, so only a machine inside it can reach
them; and a combined estate outgrows one machine. The coordinator (``run --broker``) checks the
target and profile, sends each device to its work queue (the target's ``queue:``, else the
device's site), shows progress and writes the estate's results folder exactly as a one-process
run would. Workers (``cctv-conformance worker``) run inside each network, hold the credentials
in their own environment and send each device's results folder back through the result store.

Modules: :mod:`.app` (the Celery application and its delivery guarantees), :mod:`.manifest`
(what a run is, in the store), :mod:`.archive` (a device's folder, packed for the trip),
:mod:`.limits` (per-queue limits), :mod:`.task` (the worker side), :mod:`.coordinator` (the
``run`` side), :mod:`.estate` (the device folders into one estate folder), :mod:`.options` and
:mod:`.worker_command` (the command line).
"""
