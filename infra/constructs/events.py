"""The event pipeline (docs/events.md): table streams → domain events → pushes to the parties.

This construct owns the pipeline's functions, its bus and its rules; the pieces with a shape of their
own are made in its scope by their modules (so their construct ids, hence logical IDs, are its):

- **Pipes** (``infra/constructs/event_pipes.py``): one EventBridge Pipe per table that produces domain
  events, filtered at the source, enriched by ``functions/stream_events`` into the versioned envelopes
  it puts on the bus; a record whose enrichment keeps failing goes to the dead-letter queue.
- **Bus and rules**: the hub's own event bus, named after the stack (two stacks in one account and
  region never share one). Location events (many recipients) go to the fan-out workflow; session and
  CDR events (one recipient, the token's owner) to the owner workflow
  (``mobie_hub.events.fanout.FANOUT_EVENTS`` / ``OWNER_EVENTS``). The rules' patterns are data,
  ``mobie_hub.events.rules``, which the local pipeline matches too.
- **CDR creation**: a second rule sends the EMSP's ``SessionCompleted`` to ``functions/cdr_creation``
  (the CPO's copy of the same completion is filtered out by the rule, on the recipient's role), which
  prices the session and stores its CDR once (a conditional put: a redelivered event is harmless, so
  this target, unlike a push, is retried); the cdrs table's own Pipe then pushes the CDR.
- **Fan-out and owner push** (``infra/constructs/push_workflows.py``): Express state machines, the
  Location fan-out (recipients in batches → Map → one push task per batch) and the one-task owner push.
- **Push sweep**: pushes of one session reach its owner in order and coalesced (docs/events.md);
  a push that could not go at once leaves a recheck, and ``functions/push`` ``handler.resync`` runs
  every minute and puts a ``SessionResync`` event on the bus for each due one whose session changed.
- **CDR redelivery**: a CDR is a bill, so its push is a delivery recorded in the cdrs table; a
  schedule runs ``functions/cdr_redelivery`` every 5 minutes, which POSTs again the CDRs whose next
  attempt is due (bounded backoff, ``mobie_hub.cdrs.delivery``). A Step Functions Wait would do it
  too, but Express runs last at most 5 minutes and the backoff spans two days.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Acknowledgment, CfnOutput, Duration, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constants import (
    CDR_CREATION_MAX_AGE,
    CDR_CREATION_RETRIES,
    CDR_CREATION_TIMEOUT,
    EVENT_DLQ_RETENTION,
    PUSH_TIMEOUT,
    STREAM_EVENTS_TIMEOUT,
)
from infra.constructs.event_pipes import stream_pipe
from infra.constructs.function_factory import FunctionFactory
from infra.constructs.push_workflows import FANOUT_DEFINITION, OWNER_DEFINITION, push_workflow
from mobie_hub.events.location_push import BATCH  # a thread per party of a batch
from mobie_hub.events.rules import CDR_CREATION_PATTERN, FANOUT_PATTERN, OWNER_PATTERN, Pattern
from mobie_hub.events.stream import SOURCE_TABLES

# The push sweep: a recheck waits at most this long past its due time (docs/events.md "Coalescing").
RESYNC_INTERVAL = Duration.minutes(1)
RESYNC_TIMEOUT = Duration.seconds(50)  # shorter than the interval: sweeps never overlap
CDR_REDELIVERY_INTERVAL = Duration.minutes(5)
# Shorter than the interval, so two sweeps never run at once (no CDR POSTed twice concurrently).
CDR_REDELIVERY_TIMEOUT = Duration.minutes(4)


SESSION_PUSH_INTERVAL_ENV = "MOBIE_SESSION_PUSH_INTERVAL_SECONDS"  # core.settings.session_push_interval_seconds


class Events(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        tables: Mapping[str, dynamodb.Table],
        public_url: str,
        retain_logs: bool = True,
        session_push_interval_seconds: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # Named after the stack (issue #14: no fixed names), so stacks side by side never share a bus.
        self.bus = events.EventBus(self, "Bus", event_bus_name=f"{Stack.of(self).stack_name}-events")
        self.converter = factory.create(
            self,
            "StreamEvents",
            source="stream_events",
            service="stream-events",
            description="Pipe enrichment: a DynamoDB stream record → the domain events it means",
            timeout=STREAM_EVENTS_TIMEOUT,
        )
        self.dead_letters = sqs.Queue(
            self,
            "StreamDeadLetters",
            retention_period=EVENT_DLQ_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.pipes = {
            key: stream_pipe(
                self, key, tables[key], enrichment=self.converter, bus=self.bus, dead_letters=self.dead_letters
            )
            for key in SOURCE_TABLES
        }

        environment = {"MOBIE_PUBLIC_URL": public_url}
        self.recipients_function = factory.create(
            self,
            "PushRecipients",
            source="push",
            handler="handler.recipients",
            service="push-recipients",
            description="Push fan-out: a Location event's recipients in batches, its order claimed",
            # ephemeral: the claim of the Location's fan-out (push order); locations: a PUT superseded
            # by a newer EVSE status is replaced by the Location as it is now
            reads=("parties", "locations"),
            writes=("ephemeral",),
            timeout=PUSH_TIMEOUT,
            environment=environment,
        )
        self.push_function = factory.create(
            self,
            "Push",
            source="push",
            handler="handler.push",
            service="push",
            description="Push fan-out: one OCPI push of a Location event to each party of a batch, at once",
            # parties: the batch's records (one Query), OFFLINE on a failed call; ephemeral: the batch done
            writes=("parties", "ephemeral"),
            timeout=PUSH_TIMEOUT,
            environment={**environment, "MOBIE_PUSH_THREADS": str(BATCH)},
        )
        self.owner_push_function = factory.create(
            self,
            "OwnerPush",
            source="push",
            handler="handler.owner",
            service="owner-push",
            description="Owner push: one OCPI push of a session or CDR event to the EMSP owning its token",
            # parties: the owner, OFFLINE on a failed call; sessions: a resync reads the session;
            # cdrs: a CDR's delivery record; ephemeral: what each owner was last pushed (push order)
            reads=("sessions",),
            writes=("parties", "cdrs", "ephemeral"),
            timeout=PUSH_TIMEOUT,
            environment=environment,
        )
        # The converter coalesces a session's meter updates and the owner push throttles them on the
        # same clock windows: one deploy setting (infra/config.py) sets both, and the push function
        # that runs the same push code. None: the hub's default (core.settings).
        if session_push_interval_seconds is not None:
            for function in (self.converter, self.push_function, self.owner_push_function):
                function.add_environment(SESSION_PUSH_INTERVAL_ENV, str(session_push_interval_seconds))
        self.resync_function = factory.create(
            self,
            "PushResync",
            source="push",
            handler="handler.resync",
            service="push-resync",
            description="Push sweep: a SessionResync event for each due recheck whose session changed",
            reads=("sessions",),
            writes=("ephemeral",),
            timeout=RESYNC_TIMEOUT,
            environment={"MOBIE_EVENT_BUS_NAME": self.bus.event_bus_name},
        )
        self.bus.grant_put_events_to(self.resync_function)
        self.resync_rule = self._sweep_schedule(
            "PushResyncSchedule", self.resync_function, RESYNC_INTERVAL,
            "Every minute: push the sessions whose coalesced or deferred state is due (docs/events.md)",
        )
        self.cdr_redelivery = factory.create(
            self,
            "CdrRedelivery",
            source="cdr_redelivery",
            service="cdr-redelivery",
            description="CDR delivery: POSTs again every CDR whose EMSP has not accepted it and is due",
            writes=("parties", "cdrs"),
            timeout=CDR_REDELIVERY_TIMEOUT,
            environment=environment,
        )
        self.cdr_redelivery_rule = self._sweep_schedule(
            "CdrRedeliverySchedule", self.cdr_redelivery, CDR_REDELIVERY_INTERVAL,
            "Every 5 minutes: retry the CDR deliveries that are due (docs/events.md)",
        )
        self.fanout = push_workflow(
            self, "PushFanout", FANOUT_DEFINITION, "FanoutLogs",
            {"RecipientsFunctionArn": self.recipients_function, "PushFunctionArn": self.push_function},
            {"EphemeralTableName": tables["ephemeral"].table_name},
            retain_logs=retain_logs,
        )
        # ReleaseBatch: a failed push task's batch reported by the workflow itself (one UpdateItem of
        # the Location's claim), so the Location's next fan-out need not wait for the lease.
        tables["ephemeral"].grant(self.fanout, "dynamodb:UpdateItem")
        self.rule = events.Rule(
            self,
            "PushRule",
            event_bus=self.bus,
            description="Every event pushed to many parties (Locations) starts the fan-out workflow",
            event_pattern=_event_pattern(FANOUT_PATTERN),
            targets=[targets.SfnStateMachine(self.fanout, retry_attempts=2)],
        )
        self.owner_push = push_workflow(
            self, "PushOwner", OWNER_DEFINITION, "OwnerLogs", {"OwnerPushFunctionArn": self.owner_push_function},
            retain_logs=retain_logs,
        )
        self.owner_rule = events.Rule(
            self,
            "OwnerPushRule",
            event_bus=self.bus,
            description="Every event pushed to one party (sessions, CDRs: the token's owner) starts the owner workflow",
            event_pattern=_event_pattern(OWNER_PATTERN),
            targets=[targets.SfnStateMachine(self.owner_push, retry_attempts=2)],
        )
        self.cdr_creation = factory.create(
            self,
            "CdrCreation",
            source="cdr_creation",
            service="cdr-creation",
            description="A completed session → its priced CDR, created exactly once",
            reads=("locations", "tariffs"),
            writes=("sessions", "cdrs"),
            timeout=CDR_CREATION_TIMEOUT,
        )
        self.cdr_rule = events.Rule(
            self,
            "CdrRule",
            event_bus=self.bus,
            description="A completed session starts the creation of its CDR (the EMSP's event; not the CPO's copy)",
            event_pattern=_event_pattern(CDR_CREATION_PATTERN),
            targets=[
                targets.LambdaFunction(
                    self.cdr_creation,
                    retry_attempts=CDR_CREATION_RETRIES,
                    max_event_age=CDR_CREATION_MAX_AGE,
                    dead_letter_queue=self.dead_letters,
                )
            ],
        )
        self._acknowledge()
        CfnOutput(self, "EventBusName", value=self.bus.event_bus_name).override_logical_id("EventBusName")

    def _sweep_schedule(self, id_: str, function: lambda_.IFunction, interval: Duration, description: str) -> events.Rule:
        """A rule that starts a sweep function at a fixed rate; a missed sweep is made up by the next
        one, so its start needs no retry of its own."""
        return events.Rule(
            self, id_, description=description, schedule=events.Schedule.rate(interval),
            targets=[targets.LambdaFunction(function, retry_attempts=0)],
        )

    def _acknowledge(self) -> None:
        Validations.of(self.dead_letters).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="This queue is itself the dead-letter queue of the stream pipes and of the CDR rule; a "
                "dead-letter queue of a dead-letter queue would only move the same records once more.",
            )
        )


def _event_pattern(pattern: Pattern) -> events.EventPattern:
    """A rule's pattern (``mobie_hub.events.rules``, which the local pipeline matches too) as CDK takes it."""
    return events.EventPattern(
        source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"]
    )
