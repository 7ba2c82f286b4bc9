"""The OCPI parties connected to the hub: registration both ways, credentials renewal, client-certificate
binding and connection status (HubClientInfo), the versions, credentials and hubclientinfo modules
(``*_router``). DynamoDB lives in ``repository`` (the credentials tokens in ``mobie_hub.core.credentials_tokens``,
which authentication shares); HTTP towards the parties in ``mobie_hub.outbound``."""
