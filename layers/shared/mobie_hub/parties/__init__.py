"""The OCPI parties connected to the hub: registration both ways, credentials renewal, client-certificate
binding and connection status (HubClientInfo). Logic only: DynamoDB lives in
``mobie_hub.repositories.parties``, HTTP towards the parties in ``mobie_hub.outbound``."""
