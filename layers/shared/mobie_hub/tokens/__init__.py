"""OCPI Tokens: the EMSPs' whitelist (receiver, pull sync), idTag ownership and the OCPP idTag authority."""
