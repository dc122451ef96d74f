"""A cycle's files made by a task (teams.tasks.build_export) and kept as CycleExport rows:
inline without a broker, idempotent per key, served only to the team's managers of
today, failures retried and shown, old files pruned."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_results.models import TaskResult

from teams import exports as team_exports
from teams import tasks
from teams.models import CycleExport, TeamMembership
from teams.services import (
    export_request,
    exports_prune,
    membership_remove,
    membership_set_kind,
    team_create,
    team_rename,
)
from tests.factories import UserFactory
from tests.teams.test_cycle_pdf import make_team
from tests.worker import redis_up

pytestmark = pytest.mark.django_db


def matrix(cycle, fmt="csv") -> str:
    return reverse("teams:cycle_matrix", args=[cycle.team_id, cycle.pk, fmt])


def files_page(cycle) -> str:
    return reverse("teams:cycle_exports", args=[cycle.team_id, cycle.pk])


def ask(cycle, fmt="csv") -> str:
    return reverse("teams:cycle_export_request", args=[cycle.team_id, cycle.pk, fmt])


@pytest.fixture
def world(catalogue):
    cycle, olivia, bob, bob_place, places = make_team(catalogue, members=3)
    return {"cycle": cycle, "olivia": olivia, "bob": bob, "bob_place": bob_place, "places": places}


@pytest.fixture
def no_worker(monkeypatch):
    """A broker with no worker yet: asks are queued, nothing is made."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.build_export, "delay", queued.append)
    return queued


# ------------------------------------------------------------------ inline, idempotent


def test_without_a_broker_the_file_is_made_at_once_and_kept(client, world):
    cycle = world["cycle"]
    client.force_login(world["olivia"])

    first = client.get(matrix(cycle))
    again = client.get(matrix(cycle))

    assert first.status_code == again.status_code == 200
    assert first["Content-Type"].startswith("text/csv")
    assert again.content == first.content and b"gap" in first.content
    export = CycleExport.objects.get()
    assert (export.status, export.attempts, export.language) == ("ready", 1, "fr")
    assert export.requested_by == world["olivia"]


def test_asking_twice_makes_one_file(client, world, no_worker):
    cycle = world["cycle"]
    client.force_login(world["olivia"])

    client.post(ask(cycle, "xlsx"))
    client.post(ask(cycle, "xlsx"))
    cycle.team.refresh_from_db()  # the revision as the pages read it
    export_request(cycle=cycle, fmt="xlsx", user=world["bob"])

    assert CycleExport.objects.count() == 1
    assert len(no_worker) == 1, "queued once"
    assert tasks.build_export.apply(args=[no_worker[0]]).get() == "made"
    assert tasks.build_export.apply(args=[no_worker[0]]).get() == "already made"
    assert CycleExport.objects.get().attempts == 1


def test_a_change_to_the_team_makes_a_new_file_and_drops_the_old(client, world):
    cycle = world["cycle"]
    client.force_login(world["olivia"])
    old = client.get(matrix(cycle, "json")).json()
    assert old["team"] == "Plateforme"

    team_rename(team=cycle.team, name="Plateforme Data")

    assert client.get(matrix(cycle, "json")).json()["team"] == "Plateforme Data"
    assert CycleExport.objects.count() == 1, "the superseded file is deleted"


def test_each_language_has_its_file(client, world):
    cycle = world["cycle"]
    client.force_login(world["olivia"])
    french = client.get(reverse("teams:cycle_pdf", args=[cycle.team_id, cycle.pk]))
    client.cookies["django_language"] = "en"
    english = client.get(reverse("teams:cycle_pdf", args=[cycle.team_id, cycle.pk]))

    assert french.content != english.content
    assert sorted(CycleExport.objects.values_list("language", flat=True)) == ["en", "fr"]


# ------------------------------------------------------------------- with a worker


def test_while_a_worker_makes_it_the_page_says_so_then_links_to_it(client, world, no_worker):
    cycle = world["cycle"]
    client.force_login(world["olivia"])

    response = client.get(matrix(cycle, "xlsx"))  # the old address: asks, then the page

    assert response.status_code == 302 and response["Location"] == files_page(cycle)
    page = client.get(files_page(cycle)).text
    assert "En préparation" in page and 'hx-trigger="every 2s"' in page
    assert f'href="{files_page(cycle)}"' in page, "a plain link refreshes it without scripts"
    assert f'href="{matrix(cycle, "xlsx")}"' not in page

    tasks.build_export.apply(args=no_worker)  # the worker

    page = client.get(files_page(cycle)).text
    assert f'href="{matrix(cycle, "xlsx")}"' in page and "every 2s" not in page
    download = client.get(matrix(cycle, "xlsx"))
    assert download.status_code == 200 and download.content[:2] == b"PK"


# ------------------------------------------------------------------------ who may


def test_who_may_see_the_files_page_and_ask(client, world, individual, outsider):
    cycle = world["cycle"]
    member = world["places"][0].user
    other_manager = UserFactory()
    team_create(manager=other_manager, name="Autre")
    expected = {world["olivia"]: 200, member: 404, other_manager: 404, outsider: 404}
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(files_page(cycle)).status_code == status
        assert client.post(ask(cycle)).status_code == (302 if status == 200 else 404)
        assert client.get(matrix(cycle)).status_code == status
    assert CycleExport.objects.count() == 1, "only the manager's ask made a file"
    client.logout()
    for url in (files_page(cycle), matrix(cycle)):
        assert client.get(url)["Location"].startswith(reverse("login"))
    assert client.post(ask(cycle))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("change", ["removed", "demoted", "deleted"])
def test_a_manager_who_asked_cannot_download_once_out(client, world, no_worker, change):
    cycle, olivia = world["cycle"], world["olivia"]
    client.force_login(olivia)
    client.post(ask(cycle))
    tasks.build_export.apply(args=no_worker)
    assert client.get(matrix(cycle)).status_code == 200

    own = TeamMembership.objects.get(team=cycle.team, user=olivia)
    if change == "removed":
        membership_remove(membership=own)
    elif change == "demoted":
        membership_set_kind(membership=own, kind="member")
    else:
        olivia.delete()

    for url in (matrix(cycle), files_page(cycle)):
        response = client.get(url)
        if change == "deleted":
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == 404
    # Bob, still a manager, is served the team's file (made anew: the change moved the key).
    client.force_login(world["bob"])
    assert client.get(matrix(cycle))["Location"] == files_page(cycle)
    tasks.build_export.apply(args=[no_worker[-1]])
    assert client.get(matrix(cycle)).status_code == 200


def test_the_files_page_costs_the_same_for_3_and_30_members(
    client, catalogue, django_assert_max_num_queries
):
    for size in (3, 30):
        cycle, olivia, *_ = make_team(catalogue, members=size)
        client.force_login(olivia)
        client.get(matrix(cycle))  # made
        with django_assert_max_num_queries(4, info="session, user, cycle, its files"):
            assert client.get(files_page(cycle)).status_code == 200
        with django_assert_max_num_queries(4, info="session, user, cycle, the file"):
            assert client.get(matrix(cycle)).status_code == 200


# ---------------------------------------------------------------- failures, retries


def fail(times: int, monkeypatch):
    made = team_exports.export_bytes
    calls = {"n": 0}

    def flaky(cycle, fmt):
        calls["n"] += 1
        if calls["n"] <= times:
            raise OSError("disk full")
        return made(cycle, fmt)

    monkeypatch.setattr(team_exports, "export_bytes", flaky)
    return calls


def test_a_failure_is_retried(client, world, settings, monkeypatch):
    settings.EXPORT_INLINE_RETRIES = 1
    fail(1, monkeypatch)
    client.force_login(world["olivia"])

    assert client.get(matrix(world["cycle"])).status_code == 200

    export = CycleExport.objects.get()
    assert (export.status, export.attempts, export.error) == ("ready", 2, "")


def test_a_file_that_cannot_be_made_says_so_and_can_be_asked_again(client, world, monkeypatch):
    cycle = world["cycle"]
    fail(1, monkeypatch)
    client.force_login(world["olivia"])

    response = client.get(matrix(cycle))  # no 500: the page says it failed

    assert response.status_code == 302
    export = CycleExport.objects.get()
    assert export.status == "failed" and "disk full" in export.error
    assert TaskResult.objects.filter(
        task_name="teams.tasks.build_export", status="FAILURE"
    ).exists(), "shown in the admin's Celery results"
    page = client.get(files_page(cycle)).text
    assert "Impossible de le préparer." in page and "Réessayer" in page

    assert client.post(ask(cycle)).status_code == 302
    assert CycleExport.objects.get().status == "ready"
    assert client.get(matrix(cycle)).status_code == 200


def test_the_back_off_doubles_up_to_ten_minutes(settings):
    settings.EXPORT_RETRY_SECONDS = 10
    assert [tasks.export_backoff(n) for n in range(8)] == [10, 20, 40, 80, 160, 320, 600, 600]


def test_the_admin_lists_failed_files(admin_client, world, monkeypatch):
    fail(1, monkeypatch)
    export_request(cycle=world["cycle"], fmt="csv", user=world["olivia"])
    page = admin_client.get(reverse("admin:teams_cycleexport_changelist") + "?status=failed")
    assert page.status_code == 200 and "disk full" in page.text


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_retries_and_makes_it(client, catalogue, settings, monkeypatch):
    from tests.worker import worker_on_redis

    settings.EXPORT_RETRY_SECONDS = 0.1
    calls = fail(1, monkeypatch)
    cycle, olivia, *_ = make_team(catalogue, members=3)
    client.force_login(olivia)
    with worker_on_redis(settings):
        assert client.get(matrix(cycle)).status_code == 302, "the worker makes it"
        deadline = time.monotonic() + 20
        while CycleExport.objects.get().status != "ready" and time.monotonic() < deadline:
            time.sleep(0.1)
    assert calls["n"] == 2, "failed once, retried"
    assert CycleExport.objects.get().attempts == 2
    assert client.get(matrix(cycle)).status_code == 200


# ------------------------------------------------------------------------ clean-up


def test_old_files_are_pruned(world):
    cycle = world["cycle"]
    cycle.team.refresh_from_db()
    current = export_request(cycle=cycle, fmt="csv", user=world["olivia"])
    stale = export_request(cycle=cycle, fmt="json", user=world["olivia"])
    CycleExport.objects.filter(pk=stale.pk).update(
        revision=cycle.team.revision - 1, created_at=timezone.now() - timedelta(hours=1)
    )
    old = export_request(cycle=cycle, fmt="xlsx", user=world["olivia"])
    CycleExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))

    assert exports_prune(older_than=timedelta(days=7)) == 2
    assert list(CycleExport.objects.values_list("pk", flat=True)) == [current.pk]


def test_the_prune_task_is_scheduled(settings):
    tasks_run = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "teams.tasks.prune_exports" in tasks_run
    assert tasks.prune_exports.apply().get() == 0
