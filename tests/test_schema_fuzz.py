"""Property-based tests from the app's own OpenAPI schema (schemathesis, every check it has — what
`--checks all` runs): no 5xx, every response matches what the schema documents (status codes,
content types, headers, bodies), data the schema calls valid is accepted and data it calls invalid
is refused. Both generation modes run: positive (valid by the schema) and negative.

One test per operation. The operations are listed at collection time from a throwaway app's schema
(building an app loads nothing); the cases run against an app over the fixture index. Hypothesis is
driven directly rather than through ``schema.parametrize()``, whose lazy-fixture variant does not
run on pytest 9 (schemathesis 4.32 reads ``node._nodeid``, which pytest 9 removed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from ingest.settings import Settings

# Before the import: the shared helpers assert, and pytest should explain their failures.
pytest.register_assert_rewrite("tests.api_support")
from tests.api_support import make_app, with_settings  # noqa: E402

MAX_EXAMPLES = 25  # per operation: enough to find shape bugs, small enough for shared CI cores
METHODS = ("get", "post", "put", "patch", "delete")


def _operations() -> list[tuple[str, GenerationMode]]:
    """(operation, mode) pairs. Negative cases only where the schema constrains something (query
    parameters or a body): an unconstrained path string or no input at all cannot be made invalid."""
    schema = make_app(Settings(data_dir=Path("unused"), corpus_dir=Path("unused"), admin_token="fuzz-token")).openapi()
    pairs = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            label = f"{method.upper()} {path}"
            pairs.append((label, GenerationMode.POSITIVE))
            parameters = operation.get("parameters", [])
            if operation.get("requestBody") or any(p["in"] == "query" for p in parameters):
                pairs.append((label, GenerationMode.NEGATIVE))
    return pairs


@pytest.fixture(scope="module")
def api_schema(built_settings, embedder):  # type: ignore[no-untyped-def]
    # With an admin token, so the admin routes answer 401/403 rather than all 404.
    app = make_app(with_settings(built_settings, admin_token="fuzz-token"), embedder)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def refuses_personal_data(response) -> bool:  # type: ignore[no-untyped-def]
    if response.status_code != 422:
        return False
    detail = response.json().get("detail")
    return isinstance(detail, str) and "personoplysninger" in detail


def all_checks() -> list:  # type: ignore[type-arg]
    load_all_checks()
    return list(CHECKS.get_all())


@pytest.mark.parametrize(("label", "mode"), _operations(), ids=lambda v: getattr(v, "value", v))
def test_api_conforms_to_its_schema(api_schema, label: str, mode: GenerationMode) -> None:  # type: ignore[no-untyped-def]
    operation = next(op for op in (r.ok() for r in api_schema.get_all_operations()) if op.label == label)
    checks = all_checks()
    assert len(checks) >= 10  # "all" really is all, not the default handful

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case: schemathesis.Case) -> None:
        response = case.call()
        # The schema says what a question looks like, not whether it holds personal data: a
        # schema-valid "00000000" reads as a phone number and is refused, as the 422 documents.
        assume(not (mode is GenerationMode.POSITIVE and refuses_personal_data(response)))
        case.validate_response(response, checks=checks)

    check()
