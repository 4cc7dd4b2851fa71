"""The service's errors: the project's exception tree with an HTTP status each.

Every message is one line in the CLI's style — it names the parameter, the value and what
would be accepted — and reaches the client as ``application/problem+json`` through the one
exception handler in :mod:`service.app`. Any other :class:`geo.errors.RivermapError` raised by
the library for a request (an unknown river, a CRS it cannot use) is a 400 there too.
"""

from __future__ import annotations

from geo.errors import RivermapError


class ServiceError(RivermapError):
    """Base of the errors raised while answering a request; ``status`` is the HTTP status."""

    status = 400


class ParameterError(ServiceError, ValueError):
    """A query parameter is unknown, malformed or out of range (400)."""


class NotFound(ServiceError, LookupError):
    """No such collection, feature, map or path (404)."""

    status = 404


class Busy(ServiceError, RuntimeError):
    """The generation pool is full or a build is still running (503 with Retry-After)."""

    status = 503

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after
