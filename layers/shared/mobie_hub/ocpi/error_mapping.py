"""The one place domain errors become OCPI status codes and HTTP codes.

No route catches exceptions itself: they propagate here. Anything unexpected reaches
``OcpiHeadersMiddleware``, which logs it and answers 3000 / HTTP 500 in the envelope.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from mobie_hub.core import errors
from mobie_hub.core.observability import logger
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response
from mobie_hub.ocpi.status import OcpiStatus

# domain error → (OCPI status code, HTTP status). Order matters only for subclasses (none overlap).
ERROR_CODES: dict[type[errors.HubError], tuple[OcpiStatus, int]] = {
    errors.InvalidRequest: (OcpiStatus.INVALID_OR_MISSING_PARAMETERS, 400),
    errors.UnknownCommand: (OcpiStatus.INVALID_OR_MISSING_PARAMETERS, 404),  # a subclass: found first by MRO
    errors.IdTagConflict: (OcpiStatus.INVALID_OR_MISSING_PARAMETERS, 409),  # a subclass too
    errors.NotEnoughInformation: (OcpiStatus.NOT_ENOUGH_INFORMATION, 400),
    errors.UnknownLocation: (OcpiStatus.UNKNOWN_LOCATION, 404),
    errors.UnknownToken: (OcpiStatus.UNKNOWN_TOKEN, 404),
    errors.NotFound: (OcpiStatus.CLIENT_ERROR, 404),
    errors.Unauthenticated: (OcpiStatus.CLIENT_ERROR, 401),
    errors.Forbidden: (OcpiStatus.CLIENT_ERROR, 403),
    errors.MethodNotAllowed: (OcpiStatus.CLIENT_ERROR, 405),
    errors.ConflictingWrite: (OcpiStatus.CLIENT_ERROR, 409),
    # OCPP station states; OCPI commands answer them in a CommandResponse, so these reach only admin calls.
    errors.StationOffline: (OcpiStatus.CLIENT_ERROR, 409),
    errors.StationBusy: (OcpiStatus.CLIENT_ERROR, 409),
    errors.RateLimited: (OcpiStatus.CLIENT_ERROR, 429),
    errors.UnableToUseClientApi: (OcpiStatus.UNABLE_TO_USE_CLIENT_API, 200),
    errors.UnsupportedVersion: (OcpiStatus.UNSUPPORTED_VERSION, 200),
    errors.MissingEndpoints: (OcpiStatus.NO_MATCHING_ENDPOINTS, 200),
    # status_codes.asciidoc: a request that reached the OCPI layer gets no HTTP error; 4001 travels in
    # the envelope of an HTTP 200, like the 3xxx codes above.
    errors.UnknownReceiver: (OcpiStatus.UNKNOWN_RECEIVER, 200),
}


def codes_for(error: errors.HubError) -> tuple[OcpiStatus, int]:
    for cls in type(error).__mro__:
        if cls in ERROR_CODES:
            return ERROR_CODES[cls]
    return OcpiStatus.SERVER_ERROR, 500


def _hub_error(request: Request, exc: errors.HubError) -> OcpiResponse:
    status, http_status = codes_for(exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else None
    logger.info("request refused", path=request.url.path, ocpi_status=int(status), reason=exc.message)
    return ocpi_response(status_code=status, message=exc.message, http_status=http_status, headers=headers)


def describe_validation_error(exc: RequestValidationError) -> str:
    """'body.evses.0.status: Input should be ...' — the first few problems, each naming its field."""
    parts = []
    for problem in exc.errors()[:5]:
        location = ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or "body"
        parts.append(f"{location}: {problem.get('msg', 'invalid')}")
    return "; ".join(parts) or "Invalid request"


def _validation_error(request: Request, exc: RequestValidationError) -> OcpiResponse:
    message = describe_validation_error(exc)
    status = OcpiStatus.INVALID_OR_MISSING_PARAMETERS
    logger.info("request refused", path=request.url.path, ocpi_status=int(status), reason=message)
    return ocpi_response(status_code=status, message=message, http_status=400)


def _http_error(request: Request, exc: HTTPException) -> OcpiResponse:
    # Routing errors (unknown module or path → 404, wrong method → 405) also travel in the envelope.
    message = {404: "Unknown endpoint", 405: "Method not allowed"}.get(exc.status_code, str(exc.detail))
    status = OcpiStatus.CLIENT_ERROR if exc.status_code < 500 else OcpiStatus.SERVER_ERROR
    return ocpi_response(status_code=status, message=message, http_status=exc.status_code, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.HubError, _hub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
