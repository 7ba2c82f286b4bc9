"""OpenAPI documents of the OCPI API, one per OCPI version, built from the app's own routes and models.

FastAPI describes what the routes declare (path and query parameters with their constraints, the
request bodies the hub validates with); what the routes leave to code is added from a table of
``Operation`` values (the model inside each answer's envelope, pagination, a route that reads its
body by a path value, like commands). One document per version: ``{version}`` becomes ``2.2`` or
``2.2.1`` and, for 2.2, the fields and enum values OCPI 2.2 lacks are left out, as the hub's
serialisers leave them out of its 2.2 answers (``core.models.OcpiModel.ocpi_2_2_1_only``).

Nothing here runs in the Lambdas: the documents are written by ``make openapi`` and served by the
local hub only (docs/openapi/README.md says why).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Generic, NewType, TypeVar

from fastapi import Body
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from mobie_hub.core.models import OcpiModel
from mobie_hub.core.modules import MODULES
from mobie_hub.ocpi.app import load_router

T = TypeVar("T")
VERSION_PARAMETER = "version"
PAGINATED = "x-paginated"  # a marker between _documented_route and _for_version, not in the document
SECURITY_SCHEME = "OcpiToken"
PAGINATION_PARAMETERS: tuple[dict[str, Any], ...] = (
    {"name": "date_from", "in": "query", "required": False,
     "description": "Only objects last updated at or after this time (inclusive; RFC 3339, UTC)",
     "schema": {"type": "string", "format": "date-time"}},
    {"name": "date_to", "in": "query", "required": False,
     "description": "Only objects last updated before this time (exclusive; RFC 3339, UTC)",
     "schema": {"type": "string", "format": "date-time"}},
    {"name": "offset", "in": "query", "required": False, "description": "Index of the first object (0-based)",
     "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {"name": "limit", "in": "query", "required": False,
     "description": "Most objects in this page; the hub's maximum is in the X-Limit header",
     "schema": {"type": "integer", "minimum": 1}},
)
PAGINATION_HEADERS = {
    "Link": {"description": "`<url>; rel=\"next\"` when a next page exists", "schema": {"type": "string"}},
    "X-Total-Count": {
        "description": "Objects matching the request in all pages", "schema": {"type": "integer"},
    },
    "X-Limit": {"description": "The most objects the hub returns in one page", "schema": {"type": "integer"}},
}
MESSAGE_ID_HEADERS = ("X-Request-ID", "X-Correlation-ID")
ERROR_DESCRIPTION = (
    "An error in the OCPI envelope (status_code 2xxx/3xxx/4xxx, no data); HTTP 400, 401, 403, 404, 405, "
    "409, 413, 429"
)


class OcpiEnvelope(BaseModel, Generic[T]):
    """OCPI 2.2.1 transport_and_format §4.1.7: every answer, success or error, is in this envelope."""

    data: T | None = None
    status_code: int = Field(description="OCPI status code: 1xxx success, 2xxx client, 3xxx server errors")
    status_message: str | None = None
    timestamp: datetime


@cache
def envelope_of(data: type | None, *, many: bool = False) -> type[BaseModel]:
    """The envelope with ``data`` (a list of them when ``many``), named for the document:
    ``SessionListEnvelope``, ``TokenEnvelope``, ``EmptyEnvelope``."""
    if data is None:
        return create_model("EmptyEnvelope", __base__=OcpiEnvelope[None])
    payload = list[data] if many else data  # type: ignore[valid-type]
    name = f"{data.__name__}{'List' if many else ''}Envelope"
    return create_model(name, __base__=OcpiEnvelope[payload])  # type: ignore[valid-type]


@dataclass(frozen=True)
class Operation:
    """What a route answers and reads beyond what it declares to FastAPI.

    ``data``: the model in the envelope's ``data`` (None: no data); ``many``: a list of them;
    ``paginated``: the list takes the pagination query and headers (transport_and_format §4.1.5);
    ``bodies``: for a route whose last path parameter selects the body's model (commands), the value
    of that parameter → the model; each becomes its own path in the document.
    """

    summary: str
    data: type | None = None
    many: bool = False
    paginated: bool = False
    bodies: Mapping[str, type[BaseModel]] = field(default_factory=dict)


OperationKey = tuple[str, str]  # (HTTP method, route path as FastAPI has it)


def ocpi_routes(modules: Iterable[str] = ()) -> list[APIRoute]:
    """The routes of the named OCPI modules (all when none is named), as ``create_app`` serves them."""
    routers = [load_router(m) for m in modules or [module.identifier for module in MODULES]]
    return [route for router in routers if router is not None for route in router.routes
            if isinstance(route, APIRoute) and route.include_in_schema]


def route_keys(routes: Iterable[APIRoute]) -> set[OperationKey]:
    """(method, path) of each route."""
    return {(method, route.path) for route in routes for method in route.methods}


def build_document(
    routes: Iterable[APIRoute],
    operations: Mapping[OperationKey, Operation],
    version: str,
    *,
    title: str,
    description: str,
    removed_values: Mapping[str, Iterable[str]] = {},
    drops_2_2_1_only: bool = False,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the OCPI ``routes`` (``ocpi_routes()``) for one OCPI ``version``.

    Every route must have its ``Operation`` (else ``KeyError``: a new route is described or the
    document cannot be built). ``removed_values``: enum schema name → values this version lacks;
    ``drops_2_2_1_only``: leave out the fields of ``OcpiModel.ocpi_2_2_1_only`` (the 2.2 document).
    """
    routes = list(routes)
    missing = route_keys(routes) - set(operations)
    if missing:
        raise KeyError(f"routes without an OpenAPI Operation: {sorted(missing)}")
    described = [_documented_route(route, method, operations[(method, route.path)], value, body)
                 for route in routes
                 for method in sorted(route.methods)
                 for value, body in (operations[(method, route.path)].bodies or {None: None}).items()]
    document = get_openapi(title=title, version=version, description=description, routes=described)
    document["paths"] = {
        path.replace("{" + VERSION_PARAMETER + "}", version): _for_version(item)
        for path, item in document["paths"].items()
    }
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422; the hub answers 2001 / 400
        schemas.pop(name, None)
    document["components"]["securitySchemes"] = {SECURITY_SCHEME: {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "`Token <base64 of the credentials token>` (transport_and_format §4.1.3). Token A "
                       "opens versions and credentials only; token C every module.",
    }}
    for name, values in removed_values.items():
        _drop_enum_values(schemas.get(name), set(values))
    if drops_2_2_1_only:
        _drop_fields(schemas, _models_with_2_2_1_only_fields())
    return document


def _documented_route(route: APIRoute, method: str, operation: Operation, value: str | None,
                      body: type[BaseModel] | None) -> APIRoute:
    """A copy of ``route`` for the document: its answer's model declared, and, for a body chosen by a
    path value, that value fixed in the path and the body's model declared."""
    envelope = envelope_of(operation.data, many=operation.many)
    path, endpoint = route.path, route.endpoint
    if value is not None and body is not None:
        selector = route.path.rsplit("/", 1)[1]
        path = route.path.rsplit("/", 1)[0] + "/" + value
        endpoint = _with_body(route.endpoint, selector.strip("{}"), body)
    return APIRoute(
        path, endpoint, methods=[method], summary=operation.summary, name=route.name, response_model=None,
        description=inspect.getdoc(route.endpoint) or None,
        operation_id=f"{method.lower()}_{re.sub(r'[/{}]+', '_', path.strip('/')).strip('_')}",
        tags=[_module_of(path)],
        responses={"200": {"model": envelope, "description": "OCPI envelope; `data` as described"},
                   "default": {"model": envelope_of(None), "description": ERROR_DESCRIPTION}},
        dependencies=route.dependencies,
        openapi_extra={PAGINATED: True} if operation.paginated else None,
    )


def _with_body(endpoint: Callable, selector: str, body: type[BaseModel]) -> Callable:
    """``endpoint`` as FastAPI would read it if the body were declared as ``body`` and ``selector`` (a path
    parameter) were not a parameter: only for describing, never called."""
    signature = inspect.signature(endpoint)
    # A NewType of the model, as the routers declare their bodies (tokens/router.py says why); a body
    # parameter whose default is Body(…) keeps it.
    declared = NewType(f"{body.__name__}Body", body)

    def as_body(parameter: inspect.Parameter) -> inspect.Parameter:
        if isinstance(parameter.default, FieldInfo):
            return parameter.replace(annotation=declared)
        return parameter.replace(annotation=Annotated[declared, Body()])

    parameters = [as_body(p) if p.name == "body" else p
                  for p in signature.parameters.values() if p.name != selector]

    def described(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - never routed
        raise NotImplementedError

    described.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    described.__doc__ = endpoint.__doc__
    return described


def _module_of(path: str) -> str:
    parts = path.strip("/").split("/")
    return parts[2] if len(parts) > 2 else "versions"


def _for_version(path_item: dict[str, Any]) -> dict[str, Any]:
    """The version parameter gone (fixed in the path), the token scheme and OCPI headers on each operation."""
    for operation in path_item.values():
        parameters = [p for p in operation.get("parameters", []) if p["name"] != VERSION_PARAMETER]
        if operation.pop(PAGINATED, False):
            parameters.extend(dict(p) for p in PAGINATION_PARAMETERS)
            operation["responses"]["200"]["headers"] = dict(PAGINATION_HEADERS)
        parameters.extend(
            {"name": name, "in": "header", "required": False,
             "description": "Echoed as sent; generated (a UUID) when absent (transport_and_format §4.1.4)",
             "schema": {"type": "string", "maxLength": 255}}
            for name in MESSAGE_ID_HEADERS
        )
        operation["parameters"] = parameters
        operation["security"] = [{SECURITY_SCHEME: []}]
        operation["responses"].pop("422", None)
    return path_item


def _models_with_2_2_1_only_fields() -> dict[str, frozenset[str]]:
    found: dict[str, frozenset[str]] = {}
    pending: list[type[OcpiModel]] = [OcpiModel]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.ocpi_2_2_1_only:
            found[model.__name__] = model.ocpi_2_2_1_only
    return found


def _drop_fields(schemas: dict[str, Any], fields_by_model: Mapping[str, frozenset[str]]) -> None:
    for name, schema in schemas.items():
        dropped = fields_by_model.get(name.removesuffix("-Input").removesuffix("-Output"))
        if not dropped:
            continue
        for field_name in dropped:
            schema.get("properties", {}).pop(field_name, None)
        if "required" in schema:
            schema["required"] = [r for r in schema["required"] if r not in dropped]


def _drop_enum_values(schema: dict[str, Any] | None, values: set[str]) -> None:
    if schema and "enum" in schema:
        schema["enum"] = [v for v in schema["enum"] if v not in values]
