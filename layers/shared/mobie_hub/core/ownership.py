"""Client owned objects (OCPI 2.2.1 transport_and_format "Client Owned Object Push"): a party reads
and writes only the objects under its own ``{country_code}/{party_id}``.

The spec allows a server to answer another party's URL with HTTP 404; the hub answers HTTP 403 (OCPI
2000), so a party learns that the URL is not its own rather than that the object does not exist
(docs/tokens.md, docs/pricing.md). Used by every receiver of client owned objects (tokens, tariffs).
"""

from __future__ import annotations

from collections.abc import Iterable

from mobie_hub.core.errors import Forbidden, InvalidRequest
from mobie_hub.core.identifiers import same_cistring


def ensure_own(*, caller_country_code: str, caller_party_id: str, country_code: str, party_id: str, what: str) -> None:
    """``Forbidden`` unless ``country_code``/``party_id`` (a URL's) are the caller's (CiStrings: any case)."""
    caller = f"{caller_country_code.upper()}/{caller_party_id.upper()}"
    owner = f"{country_code.upper()}/{party_id.upper()}"
    if owner != caller:
        raise Forbidden(f"{what} under {owner} belong to another party; use {caller}")


def check_addressed(fields: Iterable[tuple[str, str, str]]) -> None:
    """The pushed object is the one its URL names: each ``(field, sent, addressed)`` of its key
    (country_code, party_id, id/uid: CiStrings, any case) agrees, else OCPI 2001 naming the field
    (transport_and_format "Errors"; mod_tokens/mod_tariffs PUT: the key SHALL be the URL's)."""
    for field, sent, addressed in fields:
        if not same_cistring(sent, addressed):
            raise InvalidRequest(f"{sent!r} differs from the URL's {addressed!r}", field=field)
