"""Where the OCPP gateway feeds the command lifecycle: the answers to the hub's calls and the
StartTransaction / StopTransaction a command waits for. Both wrap what was there before, and a
failure here never changes what the station is answered (it is logged)."""

from __future__ import annotations

from collections.abc import Callable

from mobie_hub.commands import lifecycle, runtime
from mobie_hub.commands.ports import CommandWorkflow
from mobie_hub.core.observability import logger
from mobie_hub.ocpp.ports import (
    CallOutcome,
    CallResultListener,
    MeterValuesReported,
    Receipt,
    TransactionEvents,
    TransactionStarted,
    TransactionStopped,
)


class CommandCallResults(CallResultListener):
    """Tells ``then`` every outcome, and the command lifecycle those of a command's call."""

    def __init__(
        self, then: CallResultListener, workflow: Callable[[], CommandWorkflow] = runtime.workflow
    ) -> None:
        self._then = then
        self._workflow = workflow

    def on_outcome(self, outcome: CallOutcome) -> None:
        self._then.on_outcome(outcome)
        if "command_id" not in outcome.context:
            return
        try:
            lifecycle.on_call_outcome(outcome, self._workflow)
        except Exception:  # the station's answer was handled; a command that misses it times out
            logger.exception("command answer not recorded", command_id=outcome.context.get("command_id"))


class CommandTransactionEvents(TransactionEvents):
    """``inner`` (the recorded transactions / sessions) first; then the command awaiting the event."""

    def __init__(
        self, inner: TransactionEvents, workflow: Callable[[], CommandWorkflow] = runtime.workflow
    ) -> None:
        self.inner = inner
        self._workflow = workflow

    def on_start(self, started: TransactionStarted, receipt: Receipt) -> None:
        self.inner.on_start(started, receipt)  # AlreadyHandled (a retransmission) ends here
        try:
            lifecycle.on_transaction_started(started, self._workflow)
        except Exception:  # the session is stored: a command bookkeeping bug must not refuse the station
            logger.exception("StartTransaction not given to its command", station_id=started.station_id)

    def on_meter_values(self, reported: MeterValuesReported) -> None:
        self.inner.on_meter_values(reported)

    def on_stop(self, stopped: TransactionStopped, receipt: Receipt) -> None:
        self.inner.on_stop(stopped, receipt)
        try:
            lifecycle.on_transaction_stopped(stopped, self._workflow)
        except Exception:  # the stop is stored: a command bookkeeping bug must not refuse the station
            logger.exception("StopTransaction not given to its command", station_id=stopped.station_id)
