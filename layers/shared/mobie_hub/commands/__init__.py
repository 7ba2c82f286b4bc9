"""OCPI commands (profile §11): START_SESSION, STOP_SESSION, UNLOCK_CONNECTOR (docs/commands.md).

- ``models``: the requests MOBI.E supports and the CommandResponse; ``results``: the CommandResult;
  ``reservations``: the requests answered NOT_SUPPORTED (Phase 1).
- ``response_tables`` / ``tables``: the profile's CommandResponse / CommandResult tables, row by row (pure).
- ``receiver``: checks a request and answers the CommandResponse; an accepted command is stored
  (``commands.repository``) and its lifecycle started.
- ``lifecycle``: send the OCPP call, record the facts (answers, StartTransaction / StopTransaction),
  decide and deliver the CommandResult (``delivery``). ``ocpp_hooks`` feed it from the OCPP gateway.
- ``ports``: ``SessionFacts`` (adapter: ``sessions.command_facts``) and ``CommandWorkflow`` (Step Functions:
  ``step_functions``; locally ``local_runner``), held by ``runtime`` as ``mobie_hub.wiring`` composes them.
- ``workflow_steps``: the Step Functions tasks (functions/command_send, functions/command_result).
"""
