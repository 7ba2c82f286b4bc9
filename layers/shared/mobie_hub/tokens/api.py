"""What the tokens feature offers the other features (docs/architecture.md, "Import rules"): an
idTag resolved to its Token (fail closed), and a Token by its key."""

from mobie_hub.tokens.repository import TokenKey, get_token, resolve

__all__ = ["TokenKey", "get_token", "resolve"]
