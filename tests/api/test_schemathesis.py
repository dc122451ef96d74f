"""Schemathesis against the published schema (/api/v1/schema/), on the WSGI app, with a
write token of a superuser who manages a team: every operation, a few generated
requests each (bounded: the whole run takes well under a minute), no server error.

Run with -s to see the figures: operations, requests and status codes."""

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

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
def superuser_token(people, monkeypatch, request):
    # As Django's test client does: the WSGI handler's end of request would close the
    # database connection, and with it the test's transaction (on PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: request_started.connect(close_old_connections))
    request.addfinalizer(lambda: request_finished.connect(close_old_connections))
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
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error(case, superuser_token):
    response = case.call(
        headers={"Authorization": f"Bearer {superuser_token}", "Accept-Encoding": "identity"}
    )
    OPERATIONS.add(case.operation.label)
    STATUSES[response.status_code] += 1
    # Every check (server errors, status codes and content types documented, responses
    # as the schema says, requests outside the schema refused) but two: ignored_auth (the
    # test sends a valid token on every request, so the invalid ones schemathesis makes
    # never reach the app: test_tokens.py has those) and positive_data_acceptance (rules a
    # JSON schema cannot say refuse some schema-valid requests: a username taken, an
    # empty catalogue, a prefix the import refuses).
    case.validate_response(response, excluded_checks=[ignored_auth, positive_data_acceptance])
    assert response.status_code < 500
