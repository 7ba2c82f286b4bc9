"""The composition roots: the only modules that import across feature implementations and decide
which adapter fills which port (``mobie_hub.core.composition``). ``aws``: every Lambda handler calls
``install()`` first. ``local``: the local hub (``mobie-hub serve``, in-process e2e hubs)."""
