"""The interoperability planner: from an estate inventory and result folders to options for
merging CCTV platforms. Authorities combining their CCTV services describe what they own in an
estate inventory (:mod:`conformance.planner.inventory`; ``cctv-conformance inventory`` drafts one
from camera runs' results), and the planner weighs each candidate platform against the evidence
the suite's runs gathered: which cameras work as they are, which need a change or a replacement,
what that disrupts, and which features would be lost.
"""
