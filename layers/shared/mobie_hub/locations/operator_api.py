"""What the locations feature offers the other features' operator operations (their ``admin.py``, run
by the admin Lambda and the CLI): every Location id. Apart from ``api.py`` because it scans the table,
which only the admin Lambda may (a function's DynamoDB grants follow the modules it can load,
infra/grants.py; ``api.py`` is loaded by the station and OCPI Lambdas)."""

from mobie_hub.locations.inventory_repository import location_ids

__all__ = ["location_ids"]
