"""OCPI Locations: the station registry (imports), the Locations sender, the gateway's EVSE statuses."""
