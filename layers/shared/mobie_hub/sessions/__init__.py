"""OCPI Sessions from OCPP transactions (docs/sessions.md): the lifecycle (``lifecycle``, ``periods``,
``plausibility``), the ``TransactionEvents`` adapter the OCPP gateway feeds (``transactions``), their
store (``repository``, ``transaction_repository``), the Sessions sender (``router``) and what CDR
creation reads (``api``)."""
