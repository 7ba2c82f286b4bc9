"""mobie-hub: MOBI.E's OCPI 2.2 hub and OCPP 1.6-J backend (the shared layer)."""
