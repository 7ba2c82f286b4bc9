"""The OCPP 1.6-J gateway: charging stations talk to the hub over WebSocket (docs/ocpp.md).

- ``frames`` / ``schemas``: OCPP-J framing and the ``ocpp`` library's 1.6 JSON schemas, with the
  CALLERROR codes of OCPP-J 1.6 §4.2.3.
- ``admission``: who may open a connection (known station, ``ocpp1.6`` subprotocol, Basic auth).
- ``station_messages``: what the hub answers to each CALL a station sends.
- ``calls``: CALLs the hub sends (``send_call``) and the routing of their answers.
- ``gateway``: the one object every transport (API Gateway WebSocket, the local websocket) drives.
- ``ports``: the seams other modules plug into (station connections, idTag authority,
  transaction events, call-result listeners).

Nothing here imports boto3 or a web framework; the transports live in ``functions/ocpp_*``,
``mobie_hub.adapters`` and ``mobie_hub.local.ocpp``.
"""
