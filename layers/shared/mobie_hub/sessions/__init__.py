"""OCPI Sessions from OCPP transactions (docs/sessions.md): the lifecycle (``lifecycle``, ``periods``,
``plausibility``), the ``TransactionEvents`` adapters the OCPP gateway feeds (``transactions``; the
facts alone: ``recorded_transactions``), their store (``repository``, ``transaction_repository``), the
running meter every served Session is merged with (``running_meter``), the Sessions sender (``router``)
and what CDR creation reads (``api``)."""
