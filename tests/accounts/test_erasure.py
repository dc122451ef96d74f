"""An administrator's erasure of one person's data (accounts.data_rights.person_erase)."""

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts import data_rights
from accounts.models import ErasureRecord
from accounts.services import DeletionBlocked
from api.models import AccessToken
from api.tokens import token_create
from assessments.models import Answer, Assessment
from assessments.services import assessment_start
from notifications.models import Message, Preference
from plans.models import PlanItem
from plans.services import plan_item_add
from teams.models import BoardRow, Invitation, ReviewCycle, Team, TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_close,
    cycle_open,
    membership_remove,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.factories import (
    RoleFactory,
    RoleRequirementFactory,
    SkillCategoryFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def closed_review(individual):
    """Olivia's team: Alice, Bob and Carol reviewed on one role, the cycle closed.

    Role TPM requires x (weight 2, target 3) and y (weight 1, target 2). Fits by hand:
    Alice x3 y2: 100 x (6 + 2) / 8 = 100.0; Bob x1 y0: 100 x 2 / 8 = 25.0;
    Carol x2 y2: 100 x (4 + 2) / 8 = 75.0.
    """
    category = SkillCategoryFactory()
    x, y = SkillFactory(category=category), SkillFactory(category=category)
    role = RoleFactory(code="TPM")
    RoleRequirementFactory(role=role, skill=x, weight=2, target=3)
    RoleRequirementFactory(role=role, skill=y, weight=1, target=2)
    olivia = UserFactory(username="olivia")
    team = team_create(manager=olivia, name="Plateforme")
    bob, carol = UserFactory(username="bob"), UserFactory(username="carol")
    cycle = cycle_open(team=team, name="Revue 2025", due_date=timezone.localdate())
    for person, levels in ((individual, (3, 2)), (bob, (1, 0)), (carol, (2, 2))):
        membership = TeamMembership.objects.create(team=team, user=person, target_role=role)
        submitted(
            cycle_assessment_start(cycle=cycle, membership=membership),
            lambda i, given=levels: given[i],
        )
    cycle_close(cycle=cycle)
    cycle.refresh_from_db()
    return {"team": team, "cycle": cycle, "olivia": olivia, "bob": bob, "carol": carol}


def test_the_erasure_removes_the_data_and_records_who_and_when(
    individual, outsider, catalogue, admin_user
):
    result = submitted(assessment_start(owner=individual, roles=catalogue), lambda i: i % 4)
    plan_item_add(
        owner=individual,
        result=result,
        skill_code=sorted(result.snapshot["skills"])[0],
        target_level=4,
        title="Mentor",
    )
    token_create(owner=individual, name="script", scope="read")
    Preference.objects.create(user=individual)
    Message.objects.create(
        key="a", kind="x", user=individual, to=individual.email, subject="s", text="t"
    )
    Message.objects.create(
        key="b", kind="x", to=individual.email, subject="before sign-up", text="t"
    )
    solo = team_create(manager=individual, name="Solo")
    theirs = team_create(manager=outsider, name="Theirs")
    Invitation.objects.create(team=theirs, email="ALICE@example.com", expires_at=timezone.now())
    kept = submitted(assessment_start(owner=outsider, roles=catalogue))
    AccessLog.objects.create(username="alice", ip_address="10.0.0.1")
    AccessLog.objects.create(username="mallory", ip_address="10.0.0.9")
    pk, email = individual.pk, individual.email

    record = data_rights.person_erase(user=individual, by=admin_user)

    assert not get_user_model().objects.filter(pk=pk).exists()
    assert list(Assessment.objects.all()) == [kept]
    assert not Answer.objects.exclude(assessment=kept).exists()
    assert not PlanItem.objects.exists()
    assert not AccessToken.objects.filter(owner_id=pk).exists()
    assert not Preference.objects.filter(user_id=pk).exists()
    assert not Message.objects.filter(to__iexact=email).exists()
    assert not Invitation.objects.exists()
    assert not Team.objects.filter(pk=solo.pk).exists()
    assert Team.objects.filter(pk=theirs.pk).exists()
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["mallory"]
    assert (record.former_user_id, record.erased_by, record.erased_by_username) == (
        pk,
        admin_user,
        "root",
    )
    assert record.erased_at <= timezone.now()
    assert (record.assessments, record.teams_removed) == (1, 1)
    assert record.email_digest == data_rights.email_digest("Alice@Example.com")
    assert len(record.email_digest) == 64
    stored = " ".join(str(getattr(record, f.name)) for f in ErasureRecord._meta.fields)
    assert "alice" not in stored.lower()


def test_a_closed_cycles_figures_are_worked_out_again_without_the_person(
    client, individual, closed_review, admin_user
):
    cycle, team = closed_review["cycle"], closed_review["team"]
    bob, carol = closed_review["bob"], closed_review["carol"]
    assert cycle.figures["fits"] == {
        str(individual.pk): {"TPM": 100.0},
        str(bob.pk): {"TPM": 25.0},
        str(carol.pk): {"TPM": 75.0},
    }
    client.force_login(closed_review["olivia"])
    assert client.get(reverse("teams:cycle", args=[team.pk, cycle.pk])).status_code == 200
    assert BoardRow.objects.filter(assessment__owner=individual).exists()
    revision = Team.objects.get(pk=team.pk).revision

    record = data_rights.person_erase(user=individual, by=admin_user)

    cycle.refresh_from_db()
    assert cycle.figures["fits"] == {str(bob.pk): {"TPM": 25.0}, str(carol.pk): {"TPM": 75.0}}
    fits = [fit["TPM"] for fit in cycle.figures["fits"].values()]
    assert sum(fits) / len(fits) == 50.0  # was (100 + 25 + 75) / 3 = 66.7
    assert record.cycles_recomputed == 1
    assert Team.objects.get(pk=team.pk).revision > revision
    assert not BoardRow.objects.filter(assessment__owner_id=record.former_user_id).exists()
    board = client.get(reverse("teams:cycle", args=[team.pk, cycle.pk]))
    assert board.status_code == 200
    assert "alice" not in board.text


def test_figures_are_recomputed_when_the_person_had_left_the_team(
    individual, closed_review, admin_user
):
    """Her membership gone, her result still in the cycle's figures: erasure removes it."""
    membership_remove(membership=closed_review["team"].memberships.get(user=individual))

    data_rights.person_erase(user=individual, by=admin_user)

    closed_review["cycle"].refresh_from_db()
    assert str(individual.pk) not in closed_review["cycle"].figures["fits"]
    assert closed_review["team"].memberships.count() == 3


def test_the_only_manager_of_a_team_with_members_is_refused_until_handed_over(
    individual, admin_user
):
    team = team_create(manager=individual, name="Platform")
    bob = UserFactory(username="bob")
    TeamMembership.objects.create(team=team, user=bob)

    with pytest.raises(DeletionBlocked) as blocked:
        data_rights.person_erase(user=individual, by=admin_user)

    assert [(b.team, b.reason) for b in blocked.value.blockers] == [(team, "members")]
    assert get_user_model().objects.filter(pk=individual.pk).exists()
    assert team.memberships.get(user=bob).kind == "member"  # rolled back with the rest
    assert not ErasureRecord.objects.exists()

    record = data_rights.person_erase(user=individual, by=admin_user, successors={team.pk: bob.pk})

    assert record.teams_handed_over == 1
    assert list(team.memberships.values_list("user__username", "kind")) == [("bob", "manager")]


def test_a_successor_from_another_team_hands_nothing_over(individual, outsider, admin_user):
    team = team_create(manager=individual, name="Platform")
    TeamMembership.objects.create(team=team, user=UserFactory())

    with pytest.raises(DeletionBlocked):
        data_rights.person_erase(user=individual, by=admin_user, successors={team.pk: outsider.pk})

    assert not outsider.team_memberships.exists()


def test_a_team_holding_others_results_stays_without_the_person(individual, catalogue, admin_user):
    team = team_create(manager=individual, name="Platform")
    bob = TeamMembership.objects.create(
        team=team, user=UserFactory(username="bob"), target_role=catalogue[0]
    )
    cycle = cycle_open(team=team, name="Review 2025", due_date=timezone.localdate())
    result = submitted(cycle_assessment_start(cycle=cycle, membership=bob))
    membership_remove(membership=bob)

    record = data_rights.person_erase(user=individual, by=admin_user)

    assert Team.objects.filter(pk=team.pk).exists() and not team.memberships.exists()
    assert Assessment.objects.filter(pk=result.pk).exists()
    assert ReviewCycle.objects.filter(pk=cycle.pk).exists()
    assert record.teams_removed == 0


def test_the_erasure_plan_says_what_goes_and_what_blocks(individual, closed_review, catalogue):
    submitted(assessment_start(owner=individual, roles=catalogue))
    team = team_create(manager=individual, name="Led by Alice")
    TeamMembership.objects.create(team=team, user=closed_review["bob"])

    plan = data_rights.erasure_plan(individual)

    assert (plan.assessments, plan.memberships, plan.cycles) == (2, 2, 1)
    assert [(t, [m.user.username for m in ms]) for t, ms in plan.handovers] == [(team, ["bob"])]
    assert plan.teams_removed == [] and plan.teams_kept == []


def test_a_persons_own_account_deletion_recomputes_the_figures_too(
    client, individual, closed_review
):
    client.force_login(individual)

    response = client.post(reverse("account_delete"), {"password": "correct-horse-battery"})

    assert response["Location"] == reverse("home")
    closed_review["cycle"].refresh_from_db()
    assert closed_review["cycle"].figures["fits"] == {
        str(closed_review["bob"].pk): {"TPM": 25.0},
        str(closed_review["carol"].pk): {"TPM": 75.0},
    }
