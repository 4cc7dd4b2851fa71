"""Schemathesis against ``/api``: generated requests to every documented operation (except the
heavy generation of maps and GeoPackages, tested on their own) get no 5xx, and every response
matches the document — status code, content type, headers and body schema.

The operations are driven through schemathesis' strategies with Hypothesis directly (its
pytest fixture loader does not run under pytest 9.2)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: examples per operation: enough to exercise the parsing, small enough to keep the suite fast
EXAMPLES = 5


def test_every_response_matches_the_document(service_app) -> None:
    schema = schemathesis.openapi.from_asgi("/api", service_app)
    schema = schema.exclude(path_regex=r"^/(maps|exports)/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3 * 8 + 5  # three per collection, the service documents
    calls: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:
            response = case.call_and_validate(checks=CHECKS)
            calls.append(response.status_code)
            assert response.status_code < 500, case.as_curl_command()

        run()
    assert len(calls) >= len(operations) and 200 in calls and 400 in calls
