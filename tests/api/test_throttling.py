"""Rate limits per token, reads and writes counted apart; a cache that does not answer
lets requests through instead of failing them."""

import socket

import pytest
from django.core.cache import cache

from api.throttles import ReadThrottle, WriteThrottle
from api.tokens import token_create
from config.settings import REDIS_CACHE

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(ReadThrottle, "rate", "3/min", raising=False)
    monkeypatch.setattr(WriteThrottle, "rate", "1/min", raising=False)


def test_reads_and_writes_are_limited_per_token(people, low_rates):
    admin = people.client("admin")
    codes = [admin.get("/api/v1/results/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Another token of its own count.
    assert people.client("member").get("/api/v1/results/").status_code == 200
    second = token_create(owner=people.admin, name="2", scope="write")[1]
    assert people.client(None, token=second).get("/api/v1/results/").status_code == 200
    body = {"username": "one"}
    assert admin.post("/api/v1/admin/users/", body, format="json").status_code == 201
    again = admin.post("/api/v1/admin/users/", {"username": "two"}, format="json")
    assert again.status_code == 429
    assert "Retry-After" in again


def test_anonymous_reads_are_limited_per_client(people, low_rates):
    anonymous = people.client(None)
    codes = [anonymous.get("/api/v1/catalogue/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_forged_forwarded_address_does_not_reset_the_count(people, low_rates):
    anonymous = people.client(None)
    codes = [
        anonymous.get("/api/v1/catalogue/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_a_redis_that_does_not_answer_throttles_nothing_and_fails_nothing(
    people, settings, low_rates
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {**REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{port}/0", "KEY_PREFIX": "t"}
    }
    assert cache.get("anything") is None  # django-redis ignores the failure
    manager = people.client("manager")
    w = people.w
    for _ in range(5):
        assert (
            manager.get(f"/api/v1/teams/{w.team.pk}/cycles/{w.cycle.pk}/matrix/").status_code == 200
        )
