"""Station passwords for HTTP Basic auth (OCPP 1.6 Security Whitepaper ed. 2, security profiles 1
and 2): the username is the charge point id, the password the station's AuthorizationKey.

Only a salted scrypt hash of each password is stored (``ocpp.repository``); checks compare
in constant time. The whitepaper's AuthorizationKey is 16 to 20 bytes of random binary (configured
hex-encoded); OCPP 2.0.1's BasicAuthPassword is up to 40 characters — the hub accepts 16 to 40
bytes so that either fits.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from mobie_hub.core.errors import InvalidRequest

MIN_PASSWORD_BYTES = 16
MAX_PASSWORD_BYTES = 40

# scrypt cost: 16 MiB and ~50 ms per check, paid once per connection (at most every 2 h per station).
_N, _R, _P, _LENGTH = 2**14, 8, 1, 32
_SCHEME = "scrypt"


def password_bytes(password: str, *, hex_encoded: bool = False) -> bytes:
    """The password as the station sends it: the text's UTF-8, or the bytes a hex string stands for
    (how a station's AuthorizationKey is configured). ``InvalidRequest`` when out of bounds."""
    if hex_encoded:
        try:
            raw = bytes.fromhex(password)
        except ValueError:
            raise InvalidRequest("is not a hexadecimal string", field="password") from None
    else:
        raw = password.encode("utf-8")
    if not MIN_PASSWORD_BYTES <= len(raw) <= MAX_PASSWORD_BYTES:
        raise InvalidRequest(
            f"must be {MIN_PASSWORD_BYTES} to {MAX_PASSWORD_BYTES} bytes (OCPP 1.6 Security Whitepaper), "
            f"got {len(raw)}",
            field="password",
        )
    return raw


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: bytes) -> str:
    """``scrypt$N$r$p$<salt>$<hash>`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password, salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH)
    return "$".join((_SCHEME, str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def verify_password(password: bytes, encoded: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != _SCHEME:
            return False
        digest = hashlib.scrypt(
            password,
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(expected)),
        )
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


def parse_basic(header: str | None) -> tuple[str, bytes] | None:
    """(username, password bytes) from an ``Authorization: Basic …`` header; None when there is no
    usable Basic credential. The password may hold any byte, ``:`` included (RFC 7617: the
    username ends at the first colon)."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True)
    except (ValueError, binascii.Error):
        return None
    username, colon, password = decoded.partition(b":")
    if not colon:
        return None
    try:
        return username.decode("utf-8"), password
    except UnicodeDecodeError:
        return None


def basic_header(username: str, password: bytes | str) -> str:
    """The ``Authorization`` header value a station sends (simulator, tests)."""
    raw = password.encode("utf-8") if isinstance(password, str) else password
    return "Basic " + _b64(username.encode("utf-8") + b":" + raw)
