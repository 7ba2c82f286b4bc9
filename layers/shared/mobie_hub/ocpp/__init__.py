"""The OCPP 1.6-J gateway: charging stations talk to the hub over WebSocket (docs/ocpp.md).

- ``frames`` / ``schemas``: OCPP-J framing and the ``ocpp`` library's 1.6 JSON schemas, with the
  CALLERROR codes of OCPP-J 1.6 §4.2.3.
- ``admission``: who may open a connection (known station, ``ocpp1.6`` subprotocol, Basic auth).
- ``station_messages``: what the hub answers to each CALL a station sends.
- ``calls``: CALLs the hub sends and the routing of their answers; ``send.send_call``: sending one
  through this process's central system (what the commands feature uses).
- ``central_system``: ``CentralSystem``, the one object every transport (API Gateway WebSocket, the local
  websocket) drives.
- ``ports``: the seams other modules plug into (station connections, idTag authority,
  transaction events, call-result listeners).

The package itself defines nothing: importing any of its modules (``ocpp.api``, which every feature
may) must not load the central system, whose modules delete station items (a function's DynamoDB
grants follow the modules it can load, infra/grants.py). Nothing here imports boto3 or a web
framework; the transports live in ``functions/ocpp_*``, ``mobie_hub.ocpp.api_gateway`` and
``mobie_hub.local.ocpp``; ``mobie_hub.wiring`` composes them.
"""
