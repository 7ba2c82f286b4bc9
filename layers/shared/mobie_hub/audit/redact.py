"""Secrets never leave the process in an audit record: they are replaced here, before writing.

What is secret (docs/operations.md, "What the audit trail never holds"):

- the credentials ``token`` of a credentials exchange (OCPI 2.2 credentials §8.2: the body of
  GET/POST/PUT on the credentials module carries the token the other side must use), and of any
  body holding a Credentials object, wherever it is sent;
- ``Authorization`` headers (records hold no headers at all) and any string equal to a token the
  message was authenticated with (``known``), wherever it appears;
- OCPP station passwords: HTTP Basic on the connection (never a frame), and the ``AuthorizationKey``
  configuration key (OCPP 1.6 security whitepaper: ChangeConfiguration sets the Basic password);
- any field named like a password or a secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from mobie_hub.core import json_limits

REDACTED = "[REDACTED]"
MAX_BODY_CHARS = 100_000  # a CloudWatch Logs event holds at most 256 KB; bigger bodies are cut

_SECRET_KEYS = {"password", "secret", "authorization", "authorizationkey", "auth_key", "private_key"}
_SECRET_CONFIGURATION_KEYS = {"authorizationkey"}
_TOKEN_FIELD = re.compile(r'("(?:token|password|authorization\w*)"\s*:\s*)"[^"]*"', re.IGNORECASE)


def _is_credentials(value: dict[str, Any]) -> bool:
    """A Credentials object (OCPI 2.2 credentials §8.3.1: token, url, roles; 2.1 style: party_id),
    whatever URL it travels to: a party's credentials endpoint may be named anything."""
    return "token" in value and "url" in value and ("roles" in value or "party_id" in value)


def _redact(value: Any, *, credentials: bool) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        secret_token = credentials or _is_credentials(value)
        for key, item in value.items():
            lowered = str(key).lower()
            if lowered in _SECRET_KEYS or (secret_token and lowered == "token"):
                out[key] = REDACTED
            else:
                out[key] = _redact(item, credentials=credentials)
        if str(value.get("key", "")).lower() in _SECRET_CONFIGURATION_KEYS and "value" in value:
            out["value"] = REDACTED  # ChangeConfiguration.req / GetConfiguration.conf configurationKey
        return out
    if isinstance(value, list):
        return [_redact(item, credentials=credentials) for item in value]
    return value


def _scrub(text: str, known: Iterable[str]) -> str:
    for secret in known:
        if secret and len(secret) >= 8:  # a short string is no credential and would blank out data
            text = text.replace(secret, REDACTED)
    return text


def redact_body(
    raw: bytes | str | Any, *, credentials: bool = False, known: Iterable[str] = ()
) -> tuple[str | None, bool]:
    """A message body as redacted JSON text, and whether it was cut to ``MAX_BODY_CHARS``.

    ``raw`` is the body as sent (bytes/str) or already parsed. ``credentials``: the message belongs
    to the credentials module, so its ``token`` field is secret. ``known``: tokens that must not
    appear anywhere (the request's own credentials token)."""
    if raw is None or raw == b"" or raw == "":
        return None, False
    parsed: Any
    if isinstance(raw, bytes | str):
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        try:
            parsed = json_limits.loads(text)
        except ValueError:  # not JSON (or nested too deep to walk): the text, secret-shaped fields blanked
            return _cut(_scrub(_TOKEN_FIELD.sub(rf'\1"{REDACTED}"', text), known))
    else:
        parsed = raw
    text = json.dumps(_redact(parsed, credentials=credentials), ensure_ascii=False, separators=(",", ":"))
    return _cut(_scrub(text, known))


def _cut(text: str) -> tuple[str, bool]:
    if len(text) <= MAX_BODY_CHARS:
        return text, False
    return text[:MAX_BODY_CHARS], True
