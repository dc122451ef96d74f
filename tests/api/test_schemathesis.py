"""Schemathesis against the published schema (/api/v1/schema/), on the WSGI app, with a
write token of a superuser who manages a team: every operation, a few generated
requests each (bounded: the whole run takes well under a minute), no server error.

Run with -s to see the figures: operations, requests and status codes."""

from collections import Counter

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.throttles import ReadThrottle, WriteThrottle
from config.wsgi import application

pytestmark = pytest.mark.django_db

STATUSES: Counter[int] = Counter()
OPERATIONS: set[str] = set()


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    server_errors = sum(n for code, n in STATUSES.items() if code >= 500)
    print(  # noqa: T201
        f"\nschemathesis: {len(OPERATIONS)} operations, {sum(STATUSES.values())} requests, "
        f"{server_errors} server errors, statuses {dict(sorted(STATUSES.items()))}"
    )


@pytest.fixture
def superuser_token(people, monkeypatch):
    monkeypatch.setattr(ReadThrottle, "rate", "100000/min", raising=False)
    monkeypatch.setattr(WriteThrottle, "rate", "100000/min", raising=False)
    olivia = people.w.manager
    olivia.is_staff = olivia.is_superuser = True
    olivia.save()
    return people.tokens["manager"]


def published_schema() -> dict:
    """The schema /api/v1/schema/ serves (its view's own generator; tests/api/
    test_schema.py checks the URL serves the same), read at collection, without a database."""
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(published_schema())
schema.app = application


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error(case, superuser_token):
    response = case.call(headers={"Authorization": f"Bearer {superuser_token}"})
    OPERATIONS.add(case.operation.label)
    STATUSES[response.status_code] += 1
    case.validate_response(response, checks=[not_a_server_error])
