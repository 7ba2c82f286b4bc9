"""OCPI Sessions and CDRs from OCPP transactions (issue 7; docs/sessions.md): the lifecycle
(``lifecycle``, ``periods``, ``plausibility``), the ``TransactionEvents`` adapter (``transactions``) and CDR creation
(``cdr_creation``)."""
