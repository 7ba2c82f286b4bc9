"""The local admin interface's secret (issue #12 finding 5): a random token a local hub writes at start
to a file only the user can read, which the CLI sends with every admin call.

A web page the operator's browser opens can reach ``127.0.0.1`` (CSRF, DNS rebinding), but it cannot
read this file. One file per port, so several local hubs (tests) live side by side:
``$MOBIE_STATE_DIR`` or ``$XDG_STATE_HOME/mobie-hub`` or ``~/.local/state/mobie-hub``, named
``admin-<port>.secret``, mode 0600 in a 0700 directory, removed when the hub stops.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

HEADER = "X-Mobie-Admin-Secret"


def state_dir() -> Path:
    explicit = os.environ.get("MOBIE_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "mobie-hub"


def secret_path(port: int) -> Path:
    return state_dir() / f"admin-{port}.secret"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def write_secret(port: int, secret: str) -> Path:
    """Write ``secret`` for the hub on ``port``: created 0600 (never readable by others, not even
    for a moment), replacing a stale file of an earlier hub on the same port."""
    directory = state_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = secret_path(port)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return path


def read_secret(port: int) -> str | None:
    try:
        return secret_path(port).read_text().strip() or None
    except OSError:
        return None


def remove_secret(port: int, secret: str) -> None:
    """Remove the file if it still holds ``secret`` (another hub may have taken the port since)."""
    if read_secret(port) == secret:
        secret_path(port).unlink(missing_ok=True)


def matches(expected: str | None, presented: str | None) -> bool:
    """Constant-time comparison; no expected secret never matches (fail closed)."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())
