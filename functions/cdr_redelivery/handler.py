"""CDR redelivery: a schedule (every 5 minutes) → this function, which POSTs again every CDR whose
delivery is due (``events.fanout.redeliver_due``; docs/events.md "CDR delivery"). Sweeps in batches
while its time lasts, so a backlog after an EMSP outage drains over a few runs; a run ends before the
next one starts (its timeout is shorter than the schedule's interval), so no CDR is POSTed twice at
once."""

from mobie_hub.core.observability import logger
from mobie_hub.events import fanout
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS

BATCH = 5  # due deliveries per query: each push takes at most the outbound timeout (10 s)
RESERVE_MS = (BATCH * 10 + 10) * 1000  # start a batch only if all its pushes could time out and still end


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    attempted = delivered = 0
    while context.get_remaining_time_in_millis() > RESERVE_MS:
        outcomes = fanout.redeliver_due(limit=BATCH)
        attempted += len(outcomes)
        delivered += sum(1 for o in outcomes if o["ok"])
        if len(outcomes) < BATCH:
            break
    logger.info("cdr redelivery sweep", attempted=attempted, delivered=delivered)
    return {"attempted": attempted, "delivered": delivered}
