"""fake_vms: simulated ONVIF cameras and VMS on loopback, speaking real protocols.

It never imports ``conformance``: the suite and the simulator meet only over the network.
"""
