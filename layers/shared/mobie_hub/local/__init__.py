"""The local hub: every OCPI router in one ASGI app, an embedded DynamoDB, demo data."""
