"""CDRs against moto: a finished charge comes from the sessions fixtures (the OCPP gateway with
``SessionTransactions``), so CDR tests share them rather than build their own."""

from tests.integration.sessions.conftest import (  # noqa: F401
    authority,
    central_system,
    clock,
    connections,
    listener,
    location,
    pipeline,
    station,
)
