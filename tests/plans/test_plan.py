"""The development plan: items added from a result's path, followed up, removed; only
ever by and for their owner."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import scoring
from assessments.planning import path_to
from assessments.services import assessment_start
from careers.models import NextStepAction
from plans import services
from plans.models import PlanItem
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LINK = "https://learning.example.org/course?id=1&lang=fr"


@pytest.fixture
def result(individual, catalogue):
    NextStepAction.objects.update(url=LINK, provider="PMI", cost="free")
    return submitted(assessment_start(owner=individual, roles=catalogue))


def first_gap(result):
    path = path_to(result.read_snapshot(), "AAA")
    return path.steps[0]


def add(client, result, *, step: int | None = 0, **extra):
    gap = first_gap(result)
    data = {"result": result.pk, "role": "AAA", "skill": gap.code, **extra}
    if step is not None:
        data["step"] = step
    return client.post(reverse("plans:add"), data)


def path_url(result):
    return reverse("assessments:path", args=[result.pk, "AAA"])


def test_the_owner_adds_a_next_step_from_the_path_once(client, individual, result):
    client.force_login(individual)
    page = client.get(path_url(result)).content.decode()
    assert page.count("+ Ajouter à mon plan") >= len(first_gap(result).next_steps)

    response = add(client, result, next=path_url(result))
    assert response.status_code == 302 and response["Location"] == path_url(result)
    item = PlanItem.objects.get()
    gap = first_gap(result)
    frozen = scoring.next_steps(result.read_snapshot()["skills"][gap.code], gap.level, gap.target)
    assert item.step == frozen[0]
    assert (item.skill_code, item.level_then, item.target_level) == (
        gap.code,
        gap.level,
        gap.target,
    )
    assert (item.owner, item.result, item.status) == (individual, result, "planned")

    assert "✓ Dans votre plan" in client.get(path_url(result)).content.decode()
    again = add(client, result)  # a double click, a second tab
    assert again.status_code == 302
    assert PlanItem.objects.count() == 1


def test_an_own_action_needs_a_title_and_a_web_link(client, individual, result):
    client.force_login(individual)
    add(client, result, step=None, title="")
    add(client, result, step=None, title="Shadow a PMO", url="javascript:alert(1)")
    assert not PlanItem.objects.exists()
    add(client, result, step=None, title="Shadow a PMO", url="pmi.org/a", due_date="2027-01-15")
    item = PlanItem.objects.get()
    assert (item.title, item.url, item.step) == ("Shadow a PMO", "https://pmi.org/a", None)
    assert item.due_date == dt.date(2027, 1, 15)


def test_the_plan_page_shows_progress_and_what_is_overdue(client, individual, result):
    client.force_login(individual)
    add(client, result, step=None, title="Late one", due_date="2020-01-01")
    add(client, result, step=None, title="Done one")
    add(client, result, step=0)
    done = PlanItem.objects.get(title="Done one")
    services.plan_item_update(
        owner=individual, item_id=done.pk, revision=1, status="done",
        due_date=None, notes="", evidence="Certificate 42",
    )  # fmt: skip
    page = client.get(reverse("plans:plan")).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "33 %" in text and "1 sur 3 éléments" in text
    assert page.count('<span class="badge text-bg-danger">En retard</span>') == 1
    assert page.index("Late one") < page.index("Done one")  # overdue first, done last
    link = f'href="{LINK.replace("&", "&amp;")}" target="_blank" rel="noopener noreferrer"'
    assert link in page
    client.cookies["django_language"] = "en"
    english = client.get(reverse("plans:plan")).content.decode()
    assert "My development plan" in english and "Overdue" in english


def test_done_is_dated_and_a_stale_tab_is_refused_without_losing_its_text(
    client, individual, result
):
    client.force_login(individual)
    add(client, result)
    item = PlanItem.objects.get()
    url = reverse("plans:update", args=[item.pk])
    form = {"status": "done", "due_date": "", "notes": "n", "evidence": "e", "revision": 1}
    assert client.post(url, form).status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.done_at is not None and item.revision == 2

    stale = client.post(url, form | {"status": "dropped", "notes": "typed in the old tab"})
    assert stale.status_code == 409
    assert "typed in the old tab" in stale.content.decode()
    assert 'name="revision" value="2"' in stale.content.decode()
    item.refresh_from_db()
    assert item.status == "done" and item.notes == "n"

    back = client.post(url, form | {"status": "planned", "revision": 2})
    assert back.status_code == 302
    item.refresh_from_db()
    assert item.done_at is None and item.revision == 3


def test_removing_an_item(client, individual, result):
    client.force_login(individual)
    add(client, result)
    item = PlanItem.objects.get()
    assert client.post(reverse("plans:delete", args=[item.pk])).status_code == 302
    assert not PlanItem.objects.exists()


def test_nobody_else_sees_or_changes_an_item(client, individual, outsider, result):
    client.force_login(individual)
    add(client, result)
    item = PlanItem.objects.get()
    form = {"status": "done", "notes": "", "evidence": "", "revision": 1}
    client.force_login(outsider)
    assert "Late" not in client.get(reverse("plans:plan")).content.decode()
    assert (
        PlanItem.objects.get().skill_code not in client.get(reverse("plans:plan")).content.decode()
    )
    assert client.post(reverse("plans:update", args=[item.pk]), form).status_code == 404
    assert client.post(reverse("plans:delete", args=[item.pk])).status_code == 404
    assert add(client, result).status_code == 404  # not their result
    item.refresh_from_db()
    assert item.status == "planned"
    anonymous = Client()
    for url in (reverse("plans:plan"), reverse("plans:update", args=[item.pk])):
        response = anonymous.post(url) if "items" in url else anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_manager_reads_the_path_but_is_offered_no_plan_and_cannot_add(client, individual):
    from tests.conftest import build_catalogue

    roles = build_catalogue()
    manager = UserFactory(username="manon")
    team = team_create(name="Delivery", manager=manager)
    membership = TeamMembership.objects.create(team=team, user=individual, kind="member")
    cycle = cycle_open(team=team, name="2026", due_date=dt.date(2027, 1, 31))
    draft = cycle_assessment_start(cycle=cycle, membership=membership, roles=roles)
    result = submitted(draft)
    client.force_login(manager)
    page = client.get(path_url(result))
    add_form = f'action="{reverse("plans:add")}"'
    assert page.status_code == 200 and add_form not in page.content.decode()
    client.force_login(individual)
    assert add_form in client.get(path_url(result)).content.decode()
    client.force_login(manager)
    assert add(client, result).status_code == 404
    assert not PlanItem.objects.exists()
    # Once the member leaves, the path is closed to the manager too.
    TeamMembership.objects.filter(team=team, user=individual).delete()
    assert client.get(path_url(result)).status_code == 404


def test_the_plan_outlives_the_result_and_goes_with_the_account(client, individual, result):
    client.force_login(individual)
    add(client, result)
    result.delete()
    item = PlanItem.objects.get()
    assert item.result is None
    assert client.get(reverse("plans:plan")).status_code == 200
    individual.delete()
    assert not PlanItem.objects.exists()


def test_the_database_holds_one_open_item_per_next_step(individual, result):
    gap = first_gap(result)
    step = scoring.next_steps(result.read_snapshot()["skills"][gap.code], gap.level, gap.target)[0]
    item, created = services.plan_item_add(
        owner=individual, result=result, skill_code=gap.code, target_level=gap.target, step=step
    )
    assert created
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.create(
            owner=individual, skill_code=gap.code, level_then=0, target_level=1,
            step=step, step_key=item.step_key,
        )  # fmt: skip
    # Once done, the same next step may be planned again.
    PlanItem.objects.filter(pk=item.pk).update(status="done")
    _again, created = services.plan_item_add(
        owner=individual, result=result, skill_code=gap.code, target_level=gap.target, step=step
    )
    assert created


def test_a_level_not_above_today_or_a_skill_outside_the_result_is_refused(individual, result):
    gap = first_gap(result)
    with pytest.raises(services.NotPlannable):
        services.plan_item_add(
            owner=individual, result=result, skill_code=gap.code, target_level=gap.level,
            title="x",
        )  # fmt: skip
    with pytest.raises(services.NotPlannable):
        services.plan_item_add(
            owner=individual, result=result, skill_code="nope", target_level=4, title="x"
        )


def test_the_plan_page_costs_the_same_queries_for_1_and_12_items(client, individual, result):
    client.force_login(individual)
    add(client, result)
    client.get(reverse("plans:plan"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("plans:plan"))
    for n in range(11):
        add(client, result, step=None, title=f"Action {n}", due_date="2020-01-01")
    with CaptureQueriesContext(connection) as twelve:
        page = client.get(reverse("plans:plan"))
    assert page.content.decode().count('class="card mb-3 plan-item') == 12
    # session, user, the items, their comments, the teams to share with
    assert len(twelve) == len(one) == 5, [q["sql"] for q in twelve]


def test_an_item_is_never_overdue_once_done(individual, result):
    item = PlanItem(status="done", due_date=timezone.localdate() - dt.timedelta(days=3))
    assert not item.is_overdue()
    item.status = "in_progress"
    assert item.is_overdue()


def test_the_apps_below_never_import_plans():
    """assessments shows the plan through assessments/extensions.py only (docs/DESIGN.md)."""
    from pathlib import Path

    from django.conf import settings

    for app in ("assessments", "careers", "scoring", "teams"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            source = path.read_text()
            assert not re.search(r"^\s*(from|import) plans\b", source, re.M), path
    assessments = Path(settings.BASE_DIR) / "assessments"
    for path in assessments.rglob("*.py"):
        if path.parent.name == "migrations":  # a historical migration names teams' code
            continue
        assert not re.search(r"^\s*(from|import) teams\b", path.read_text(), re.M), path
