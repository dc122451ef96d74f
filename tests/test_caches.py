"""The kept pages on the default deployment's cache: the database (no REDIS_URL).

The other tests use an in-memory cache; here the result body, the team board and the
questionnaire steps go through Django's DatabaseCache as configured, with its query
costs, its size bound and its culling.
"""

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.services import assessment_start
from config.settings import DATABASE_CACHE
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_cache(settings):
    settings.CACHES = {"default": dict(DATABASE_CACHE)}
    cache.clear()
    yield
    cache.clear()


def test_the_database_cache_is_the_default_deployment_s_and_holds_thousands():
    kept = caches["default"]
    assert type(kept).__name__ == "DatabaseCache"
    assert kept.key_prefix == DATABASE_CACHE["KEY_PREFIX"]
    assert kept._max_entries >= 5000  # Django's default of 300 culls within minutes


def test_a_kept_result_page_costs_one_query_on_the_database_cache(
    client, individual, catalogue, django_assert_num_queries
):
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    client.force_login(individual)
    url = reverse("assessments:detail", args=[result.pk])
    first = client.get(url)

    # session, user, one SELECT for the page and the catalogue version, and the plan
    # made before the result (shown above it, never kept)
    with django_assert_num_queries(4):
        kept = client.get(url)

    assert first.context is not None and kept.context is None  # made once, then served
    assert "Votre analyse des écarts" in kept.text


def test_a_kept_board_costs_one_query_on_the_database_cache(
    client, catalogue, django_assert_num_queries
):
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    for name in ("alice", "bob", "carol"):
        membership = TeamMembership.objects.create(
            team=team, user=UserFactory(username=name), target_role=catalogue[0]
        )
        submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    client.force_login(manager)
    url = cycle.get_absolute_url()
    client.get(url)

    # session, user, the cycle with its team's revision, one SELECT for the page kept
    # whole (its board and the team's plans in it)
    with django_assert_num_queries(4):
        kept = client.get(url)

    assert kept.context is None  # served as kept
    assert "carol" in kept.text


def test_culling_keeps_every_page_right(settings, client, individual, catalogue):
    settings.CACHES = {"default": {**DATABASE_CACHE, "OPTIONS": {"MAX_ENTRIES": 3}}}
    cache.clear()
    results = [
        submitted(assessment_start(owner=individual, roles=catalogue[:1] if i % 2 else catalogue))
        for i in range(6)
    ]
    client.force_login(individual)

    for _round in range(2):
        for result in results:
            response = client.get(reverse("assessments:detail", args=[result.pk]))
            assert response.status_code == 200
            assert f'href="/assessments/{result.pk}/result.json"' in response.text
            assert "Votre analyse des écarts" in response.text


def test_questionnaire_steps_are_kept_on_the_database_cache(client, individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    client.force_login(individual)
    url = reverse("assessments:step", args=[draft.pk, 1])
    assert client.get(url).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if 'FROM "careers_skillcategory"' in q]  # steps: from the cache
    assert len([q for q in sql if "cache_entries" in q]) <= 2


def test_migrate_makes_the_cache_table_a_database_migrated_under_redis_lacks():
    """A deployment that drops REDIS_URL falls back to the database cache: its table
    must be there even if every migration ran while Redis was the cache."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(DATABASE_CACHE['LOCATION'])}")
    assert DATABASE_CACHE["LOCATION"] not in connection.introspection.table_names()

    call_command("migrate", verbosity=0)

    assert DATABASE_CACHE["LOCATION"] in connection.introspection.table_names()
    cache.set("after-migrate", 1)
    assert cache.get("after-migrate") == 1
