"""Client owned objects (OCPI 2.2.1 transport_and_format "Client Owned Object Push"): a party reads
and writes only the objects under its own ``{country_code}/{party_id}``.

The spec allows a server to answer another party's URL with HTTP 404; the hub answers HTTP 403 (OCPI
2000), so a party learns that the URL is not its own rather than that the object does not exist
(docs/tokens.md, docs/pricing.md). Used by every receiver of client owned objects (tokens, tariffs).
"""

from __future__ import annotations

from mobie_hub.core.errors import Forbidden


def ensure_own(*, caller_country_code: str, caller_party_id: str, country_code: str, party_id: str, what: str) -> None:
    """``Forbidden`` unless ``country_code``/``party_id`` (a URL's) are the caller's (CiStrings: any case)."""
    caller = f"{caller_country_code.upper()}/{caller_party_id.upper()}"
    owner = f"{country_code.upper()}/{party_id.upper()}"
    if owner != caller:
        raise Forbidden(f"{what} under {owner} belong to another party; use {caller}")
