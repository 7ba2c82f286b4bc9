"""Tokens module, receiver interface (OCPI 2.2.1 mod_tokens §12.2.1; profile §10): EMSPs push their
tokens to MOBI.E, which authorises every charge from them.

``GET / PUT / PATCH /ocpi/{version}/tokens/{country_code}/{party_id}/{uid}[?type=RFID]``. The caller
may only address its own country_code / party_id (else HTTP 403); the rules live in
``mobie_hub.tokens.receiver`` and ``mobie_hub.tokens.rules``.
"""

from __future__ import annotations

from typing import Annotated, NewType

from fastapi import APIRouter, Body, Depends, Path, Query

from mobie_hub.core.context import Caller
from mobie_hub.core.models import TokenType, partial_model
from mobie_hub.core.modules import OcpiVersion
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response
from mobie_hub.ocpi.versioning import request_version
from mobie_hub.tokens import receiver as token_receiver
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.repository import TokenKey

caller = caller_for("tokens")
router = APIRouter(dependencies=[Depends(caller)])  # authenticate first; the same dependency is reused below
TokenPatch = partial_model(Token)
# The bodies' types, validated and documented as the models themselves. FastAPI builds a body's
# validator when an app includes the route, ignoring pydantic's UnsupportedFieldAttributeWarning about
# the alias it attaches (the parameter's name, which it reads itself). A model class with defer_build
# (every OcpiModel) would put that build off to the first request, outside FastAPI's filter, where
# pydantic warns once an app; a NewType of the model carries no model config, so it is built at once.
TokenBody = NewType("TokenBody", Token)
# TokenPatch is a class partial_model makes at run time: to a type checker a variable, not a type.
TokenPatchBody = NewType("TokenPatchBody", TokenPatch)  # type: ignore[valid-type]
TOKEN_PATH = "/ocpi/{version}/tokens/{country_code}/{party_id}/{uid}"


def addressed_token(
    country_code: str = Path(min_length=2, max_length=2),
    party_id: str = Path(min_length=3, max_length=3),
    uid: str = Path(min_length=1, max_length=36),
    type: TokenType = Query(TokenType.RFID, description="Token.type; default RFID (mod_tokens §12.2.1.1)"),
    who: Caller = Depends(caller),
) -> TokenKey:
    """The token the URL names, once the caller is known to own it (resolved before the body is read,
    so another party's URL answers 403 whatever the body holds)."""
    key = TokenKey(country_code, party_id, type, uid)
    token_receiver.ensure_owner(
        caller_role=who.role, caller_country_code=who.country_code, caller_party_id=who.party_id, key=key
    )
    return key


@router.get(TOKEN_PATH)
def get_token(
    version: OcpiVersion = Depends(request_version), key: TokenKey = Depends(addressed_token)
) -> OcpiResponse:
    return ocpi_response(token_receiver.get(key))


@router.put(TOKEN_PATH)
def put_token(
    token: Annotated[TokenBody, Body()],
    version: OcpiVersion = Depends(request_version),
    key: TokenKey = Depends(addressed_token),
) -> OcpiResponse:
    created = token_receiver.put(token, key)
    return ocpi_response(http_status=201 if created else 200)


@router.patch(TOKEN_PATH)
def patch_token(
    body: Annotated[TokenPatchBody, Body()],
    version: OcpiVersion = Depends(request_version),
    key: TokenKey = Depends(addressed_token),
) -> OcpiResponse:
    token_receiver.patch(body, key)
    return ocpi_response()
