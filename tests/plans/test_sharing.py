"""A plan shared with a team's managers: who reads it, comments on it and agrees to its
items, before and after the relationships change."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.services import assessment_start
from plans import services
from plans.models import PlanComment, PlanItem, PlanShare
from teams.models import TeamMembership
from teams.revision import team_touch
from teams.services import cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory
from tests.plans.test_plan import first_gap

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(individual, catalogue):
    manager = UserFactory(username="manon")
    team = team_create(name="Delivery", manager=manager)
    TeamMembership.objects.create(team=team, user=individual, kind="member")
    colleague = UserFactory(username="colin")
    TeamMembership.objects.create(team=team, user=colleague, kind="member")
    other_manager = UserFactory(username="otto")
    other = team_create(name="Other", manager=other_manager)
    TeamMembership.objects.create(team=other, user=individual, kind="member")
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    gap = first_gap(result)
    item, _ = services.plan_item_add(
        owner=individual, result=result, skill_code=gap.code, target_level=gap.target,
        title="Lead the next risk review",
    )  # fmt: skip
    return {"team": team, "other": other, "manager": manager, "colleague": colleague,
            "other_manager": other_manager, "item": item, "owner": individual}  # fmt: skip


def shared_url(w):
    return reverse("plans:shared", args=[w["team"].pk, w["owner"].pk])


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sharing_shows_the_plan_to_that_teams_managers_only(world):
    owner = as_user(world["owner"])
    assert as_user(world["manager"]).get(shared_url(world)).status_code == 404  # not yet
    response = owner.post(reverse("plans:share"), {"team": world["team"].pk})
    assert response.status_code == 302
    assert PlanShare.objects.filter(owner=world["owner"], team=world["team"]).exists()

    page = as_user(world["manager"]).get(shared_url(world))
    assert page.status_code == 200 and "Lead the next risk review" in page.content.decode()
    for stranger in ("colleague", "other_manager"):
        assert as_user(world[stranger]).get(shared_url(world)).status_code == 404, stranger
    # The other team's manager gets nothing through their own team either.
    other_url = reverse("plans:shared", args=[world["other"].pk, world["owner"].pk])
    assert as_user(world["other_manager"]).get(other_url).status_code == 404
    anonymous = Client().get(shared_url(world))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_plan_is_shared_only_with_a_team_its_owner_is_a_member_of(world):
    stranger_team = team_create(name="Elsewhere", manager=UserFactory(username="eve"))
    response = as_user(world["owner"]).post(reverse("plans:share"), {"team": stranger_team.pk})
    assert response.status_code == 404
    assert not PlanShare.objects.exists()


def test_the_manager_comments_and_agrees_the_owner_sees_both(world):
    services.plan_share(owner=world["owner"], team_id=world["team"].pk)
    manager, item = as_user(world["manager"]), world["item"]
    manager.post(reverse("plans:comment", args=[item.pk]), {"body": "Good idea, by March?"})
    manager.post(reverse("plans:agree", args=[item.pk]))
    item.refresh_from_db()
    assert item.agreed_by == world["manager"] and item.agreed_at is not None
    assert item.revision == 2  # an open tab of the owner's saves over it only knowingly
    page = as_user(world["owner"]).get(reverse("plans:plan")).content.decode()
    assert "Good idea, by March?" in page and "Approuvé par" in page
    # The owner comments back; an owner cannot agree to their own item.
    owner = as_user(world["owner"])
    owner.post(reverse("plans:comment", args=[item.pk]), {"body": "Yes, by March."})
    assert PlanComment.objects.count() == 2
    assert owner.post(reverse("plans:agree", args=[item.pk])).status_code == 404
    manager.post(reverse("plans:agree", args=[item.pk]), {"agreed": "0"})
    item.refresh_from_db()
    assert item.agreed_at is None


def test_nobody_else_comments_or_agrees(world):
    services.plan_share(owner=world["owner"], team_id=world["team"].pk)
    item = world["item"]
    for stranger in ("colleague", "other_manager"):
        client = as_user(world[stranger])
        assert (
            client.post(reverse("plans:comment", args=[item.pk]), {"body": "x"}).status_code == 404
        )
        assert client.post(reverse("plans:agree", args=[item.pk])).status_code == 404
    assert not PlanComment.objects.exists()
    item.refresh_from_db()
    assert item.agreed_at is None


@pytest.mark.parametrize("change", ["unshare", "demote", "remove_owner", "remove_manager"])
def test_access_ends_when_the_relationship_does(world, change):
    services.plan_share(owner=world["owner"], team_id=world["team"].pk)
    manager = as_user(world["manager"])
    assert manager.get(shared_url(world)).status_code == 200
    team = world["team"]
    if change == "unshare":
        as_user(world["owner"]).post(reverse("plans:share"), {"team": team.pk, "shared": "0"})
    elif change == "demote":
        TeamMembership.objects.filter(team=team, user=world["manager"]).update(kind="member")
    elif change == "remove_owner":
        TeamMembership.objects.filter(team=team, user=world["owner"]).delete()
    else:
        TeamMembership.objects.filter(team=team, user=world["manager"]).delete()
    assert manager.get(shared_url(world)).status_code == 404
    item = world["item"]
    assert manager.post(reverse("plans:comment", args=[item.pk]), {"body": "x"}).status_code == 404


def test_a_deleted_managers_comments_stay_unsigned(world):
    services.plan_share(owner=world["owner"], team_id=world["team"].pk)
    services.plan_comment_add(author=world["manager"], item=world["item"], body="Keep going")
    world["manager"].delete()
    page = as_user(world["owner"]).get(reverse("plans:plan")).content.decode()
    assert "Keep going" in page


def test_the_team_pages_show_each_members_counts_and_link_the_shared_plans(world, catalogue):
    services.plan_item_agree(manager=world["manager"], item=world["item"], agreed=True)
    manager = as_user(world["manager"])
    url = reverse("teams:detail", args=[world["team"].pk])
    page = manager.get(url).content.decode()
    assert "Plans de développement" in page
    assert shared_url(world) not in page  # counts only until it is shared
    services.plan_share(owner=world["owner"], team_id=world["team"].pk)
    page = manager.get(url).content.decode()
    assert shared_url(world) in page
    row = page[page.index(shared_url(world)) :]
    row = row[: row.index("</tr>")]
    assert [int(n) for n in re.findall(r'<td class="text-end[^"]*">(\d+)</td>', row)] == [
        1,
        0,
        1,
        0,
    ]
    assert "Compétences les plus planifiées" not in page  # fewer than 3 people plan
    counts = []
    for n in range(4):
        member = UserFactory(username=f"member-{n}")
        TeamMembership.objects.create(team=world["team"], user=member, kind="member")
        PlanShare.objects.create(owner=member, team=world["team"])
        PlanItem.objects.create(owner=member, skill_code=world["item"].skill_code, level_then=0,
                                target_level=2, title="Own action")  # fmt: skip
        team_touch(team_id=world["team"].pk)  # as the services that write these would
        with CaptureQueriesContext(connection) as queries:
            page = manager.get(url).content.decode()
        counts.append(len(queries))
    assert page.count('href="/plan/shared/') == 5
    # 3 people planning and more: the most planned skills cost one query, at any size
    assert counts[1] == counts[2] == counts[3] == counts[0] + 1
    assert "Compétences les plus planifiées" in page and "5 personnes" in page
    # A member's page of the team shows no plans.
    assert "/plan/shared/" not in as_user(world["colleague"]).get(url).content.decode()


@pytest.mark.parametrize("page", ["team", "cycle"])
def test_the_kept_team_summary_follows_every_change_it_shows(world, monkeypatch, page):
    """The team's plans are kept under the team's revision, on the team page and in the
    cycle's page (kept whole): each service change they show, and the next day (what is
    overdue), are on the next page at once."""
    manager = as_user(world["manager"])
    url = reverse("teams:detail", args=[world["team"].pk])
    if page == "cycle":
        url = cycle_open(team=world["team"], name="Revue", due_date="2030-01-01").get_absolute_url()

    def counts() -> list[int]:
        section = manager.get(url).content.decode().split('class="mb-4 team-plans"')[1]
        row = section[section.index(world["owner"].username) :]
        row = row[: row.index("</tr>")]
        return [int(n) for n in re.findall(r'<td class="text-end[^"]*">(\d+)</td>', row)]

    item = world["item"]
    assert counts() == [1, 0, 0, 0]  # items, done, agreed, overdue
    item = services.plan_item_update(
        owner=world["owner"], item_id=item.pk, revision=item.revision, status="done",
        due_date=None, notes="", evidence="",
    )  # fmt: skip
    assert counts() == [1, 1, 0, 0]
    services.plan_item_agree(manager=world["manager"], item=item, agreed=True)
    assert counts() == [1, 1, 1, 0]
    services.plan_share(owner=world["owner"], team_id=world["team"].pk)
    assert shared_url(world) in manager.get(url).content.decode()
    services.plan_unshare(owner=world["owner"], team_id=world["team"].pk)
    assert shared_url(world) not in manager.get(url).content.decode()

    # Due tomorrow: not overdue today, overdue the day after (the key holds the day).
    item = PlanItem.objects.get(pk=item.pk)
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.plan_item_update(
        owner=world["owner"], item_id=item.pk, revision=item.revision, status="planned",
        due_date=tomorrow, notes="", evidence="",
    )  # fmt: skip
    assert counts() == [1, 0, 1, 0]
    monkeypatch.setattr(timezone, "localdate", lambda *a: tomorrow + timedelta(days=1))
    assert counts() == [1, 0, 1, 1]

    services.plan_item_delete(owner=world["owner"], item_id=item.pk)
    section = manager.get(url).content.decode().split('class="mb-4 team-plans"')[1]
    assert world["owner"].username not in section
