"""The message audit trail: one record per OCPI request/response and per OCPP frame, both ways
(docs/operations.md). Secrets are redacted before a record leaves the process.

Where records are made (the transports' one place each):

- inbound OCPI: ``asgi.AuditMiddleware`` (outermost middleware of every OCPI app);
- outbound OCPI: ``httpx_hooks.event_hooks()`` on the outbound client's httpx client;
- OCPP: ``ocpp.audited_handle`` / ``ocpp.audited_send_call`` on ``OcppGateway``.

Where they go and how they are found: ``ports`` (``AuditSink``, ``AuditFinder``), chosen in
``runtime``; the admin operation ``audit.find`` (``mobie-hub audit``) is in ``admin``.
"""
