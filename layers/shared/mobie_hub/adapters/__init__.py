"""Adapters of the hub's ports to AWS services other than DynamoDB (docs/architecture.md, "Ports and adapters")."""
