"""How the simulated station handles one of the hub's calls when a test (or a demo) scripts it:
the conditions of profile §11's CommandResult tables (a Rejected answer, a lost conf, no answer, a
StopTransaction with another reason, a CALLERROR). ``SimulatedStation.script`` installs one."""

from __future__ import annotations

from dataclasses import dataclass

from ocpp.exceptions import GenericError, OCPPError
from ocpp.v16.enums import Reason


@dataclass(frozen=True)
class Script:
    """How the station handles one of the hub's calls instead of its default (tests, demos).

    ``status``: the status it answers (``Rejected``, ``UnlockFailed``, ``NotSupported``, …) instead of
    the one its state gives; anything but Accepted / Unlocked also means nothing happens after it.
    ``answer=False``: the CALLRESULT is lost on its way (never sent), yet what the call does still
    happens: the hub sees the StartTransaction / StopTransaction without the conf.
    ``act=False``: nothing happens after the answer (no transaction started, stopped or ended).
    Both False: the station never answers and does nothing (the hub's call times out).
    ``stop_reason``: the StopTransaction.req reason after an accepted RemoteStopTransaction.
    ``error``: answer a CALLERROR with this code (``NotSupported``, ``NotImplemented``, …) instead.
    """

    status: str | None = None
    answer: bool = True
    act: bool = True
    stop_reason: Reason = Reason.remote
    error: str | None = None

    def acts(self, default_status: str) -> bool:
        return self.act and self.status in (None, default_status)


_ERRORS = {cls.code: cls for cls in OCPPError.__subclasses__()}


def scripted_error(code: str) -> OCPPError:
    """The exception the ``ocpp`` library answers as a CALLERROR with ``code`` (GenericError if unknown)."""
    return _ERRORS.get(code, GenericError)(description=f"scripted {code}")
