"""Every team URL, for each kind of person.

The team "Plateforme" has a manager (olivia), a plain member (alice) and a member
whose assessment for the cycle is submitted and rated (carol). "Autre" is another
team with its own manager (oscar); mallory belongs to no team. What is not yours is
not found (404, never 403, so ids reveal nothing) and nothing changes.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import assessment_start
from careers.models import Role
from teams import urls as team_urls
from teams.models import Invitation, ManagerRating, ReviewCycle, Team, TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    invitation_create,
    ratings_save,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    team: Team
    cycle: ReviewCycle
    manager: object
    member: object
    carol: TeamMembership
    result: Assessment  # carol's, submitted and rated
    invitation: Invitation
    other_manager: object
    other_team: Team
    outsider: object
    role: Role


@pytest.fixture
def world(individual, outsider, catalogue):
    role = catalogue[0]
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    TeamMembership.objects.create(team=team, user=individual, target_role=role)
    carol = TeamMembership.objects.create(
        team=team, user=UserFactory(username="carol"), target_role=role
    )
    cycle = cycle_open(team=team, name="Revue 2025", due_date=timezone.localdate())
    result = submitted(cycle_assessment_start(cycle=cycle, membership=carol))
    first = next(iter(result.snapshot["skills"].values()))
    ratings_save(assessment=result, manager=manager, values={first["id"]: (4, "Solid")})
    invitation = invitation_create(
        team=team, email="new@example.com", kind="member", invited_by=manager, link_for=str
    )
    other_manager = UserFactory(username="oscar")
    other_team = team_create(manager=other_manager, name="Autre")
    return World(
        team=team,
        cycle=cycle,
        manager=manager,
        member=individual,
        carol=carol,
        result=result,
        invitation=invitation,
        other_manager=other_manager,
        other_team=other_team,
        outsider=outsider,
        role=role,
    )


def request_for(w: World, name: str, team_pk: int | None = None):
    """(method, url, data) for a URL of the matrix, with the real ids of `w`."""
    t = w.team.pk if team_pk is None else team_pk
    c, a = w.cycle.pk, w.result.pk
    # Every skill at 3, over the ratings as the page shows them (the version it read)
    versions = {rating.skill_id: rating.version for rating in w.result.ratings.all()}
    every_skill = {}
    for skill in w.result.snapshot["skills"].values():
        every_skill[f"r{skill['id']}-level"] = "3"
        every_skill[f"r{skill['id']}-read"] = versions.get(skill["id"], "")
    requests = {
        "list": ("get", reverse("teams:list"), {}),
        "list-create": ("post", reverse("teams:list"), {"name": "Nouvelle"}),
        "detail": ("get", reverse("teams:detail", args=[t]), {}),
        "rename": ("post", reverse("teams:rename", args=[t]), {"name": "Renommée"}),
        "invite": (
            "post",
            reverse("teams:invite", args=[t]),
            {"email": "someone@example.com", "kind": "manager"},
        ),
        "invitation_resend": (
            "post",
            reverse("teams:invitation_resend", args=[t, w.invitation.pk]),
            {},
        ),
        "invitation_revoke": (
            "post",
            reverse("teams:invitation_revoke", args=[t, w.invitation.pk]),
            {},
        ),
        "invitation_retry": (
            "post",
            reverse("teams:invitation_retry", args=[t, w.invitation.pk]),
            {},
        ),
        "member_remove": ("post", reverse("teams:member_remove", args=[t, w.carol.pk]), {}),
        "member_kind": (
            "post",
            reverse("teams:member_kind", args=[t, w.carol.pk]),
            {"kind": "manager"},
        ),
        "member_target": (
            "post",
            reverse("teams:member_target", args=[t, w.carol.pk]),
            {"role": ""},
        ),
        "cycle_new": (
            "post",
            reverse("teams:cycle_new", args=[t]),
            {"name": "Revue bis", "due_date": timezone.localdate().isoformat()},
        ),
        "cycle": ("get", reverse("teams:cycle", args=[t, c]), {}),
        "cycle_close": ("post", reverse("teams:cycle_close", args=[t, c]), {}),
        "cycle_start": ("post", reverse("teams:cycle_start", args=[t, c]), {}),
        "cycle_matrix-csv": ("get", reverse("teams:cycle_matrix", args=[t, c, "csv"]), {}),
        "cycle_matrix-json": ("get", reverse("teams:cycle_matrix", args=[t, c, "json"]), {}),
        "cycle_matrix-xlsx": ("get", reverse("teams:cycle_matrix", args=[t, c, "xlsx"]), {}),
        "review-get": ("get", reverse("teams:review", args=[t, a]), {}),
        "review-post": ("post", reverse("teams:review", args=[t, a]), every_skill),
        "review_share": ("post", reverse("teams:review_share", args=[t, a]), {"share": "1"}),
        "shared_review": ("get", reverse("teams:shared_review", args=[a]), {}),
        "invitation-get": ("get", w.invitation.get_absolute_url(), {}),
        "invitation-post": ("post", w.invitation.get_absolute_url(), {}),
        "result_json": ("get", reverse("assessments:result_json", args=[a]), {}),
        "result_xlsx": ("get", reverse("assessments:result_xlsx", args=[a]), {}),
    }
    return requests[name]


LOGIN = "login"

# What each person gets: the team's manager, alice (a plain member), the other team's
# manager, an outsider, a visitor. Anyone may create a team of their own; the
# invitation is public to whoever holds its token, and only the account whose confirmed
# address it names may accept it (new@example.com: none of these).
EXPECTED = {
    "list": (200, 200, 200, 200, LOGIN),
    "list-create": (302, 302, 302, 302, LOGIN),
    "detail": (200, 200, 404, 404, LOGIN),
    "rename": (302, 404, 404, 404, LOGIN),
    "invite": (302, 404, 404, 404, LOGIN),
    "invitation_resend": (302, 404, 404, 404, LOGIN),
    "invitation_revoke": (302, 404, 404, 404, LOGIN),
    "invitation_retry": (302, 404, 404, 404, LOGIN),
    "member_remove": (302, 404, 404, 404, LOGIN),
    "member_kind": (302, 404, 404, 404, LOGIN),
    "member_target": (302, 404, 404, 404, LOGIN),
    "cycle_new": (302, 404, 404, 404, LOGIN),
    "cycle": (200, 404, 404, 404, LOGIN),
    "cycle_close": (302, 404, 404, 404, LOGIN),
    "cycle_start": (404, 302, 404, 404, LOGIN),  # members self-assess, managers rate
    "cycle_matrix-csv": (200, 404, 404, 404, LOGIN),
    "cycle_matrix-json": (200, 404, 404, 404, LOGIN),
    "cycle_matrix-xlsx": (200, 404, 404, 404, LOGIN),
    "review-get": (200, 404, 404, 404, LOGIN),
    "review-post": (302, 404, 404, 404, LOGIN),
    "review_share": (302, 404, 404, 404, LOGIN),
    # carol's, for carol alone (tests/teams/test_teams.py opens it as carol, once shared)
    "shared_review": (404, 404, 404, 404, LOGIN),
    "invitation-get": (200, 200, 200, 200, 200),
    "invitation-post": (403, 403, 403, 403, LOGIN),
    "result_json": (200, 404, 404, 404, LOGIN),  # carol's result: docs/DESIGN.md's manager rule
    "result_xlsx": (200, 404, 404, 404, LOGIN),
}
NAMES = list(EXPECTED)
# Manager-only URLs that name one of this team's invitations, members, cycles or assessments
SUB_OBJECT = [
    "invitation_resend",
    "invitation_revoke",
    "invitation_retry",
    "member_remove",
    "member_kind",
    "member_target",
    "cycle",
    "cycle_close",
    "cycle_matrix-csv",
    "cycle_matrix-json",
    "cycle_matrix-xlsx",
    "review-get",
    "review-post",
    "review_share",
]


def state():
    """Everything a team URL could change."""
    return (
        list(Team.objects.order_by("pk").values_list("pk", "name")),
        list(TeamMembership.objects.order_by("pk").values_list("pk", "kind", "target_role")),
        list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "accepted_at", "revoked_at", "sent_at", "send_failed_at"
            )
        ),
        list(ReviewCycle.objects.order_by("pk").values_list("pk", "closed_at")),
        list(Assessment.objects.order_by("pk").values_list("pk", "status", "review_shared_at")),
        list(ManagerRating.objects.order_by("pk").values_list("pk", "level", "comment")),
    )


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Runs what a request leaves for after its commit (the invitations' e-mails)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def check(client, w, name, user, expected, mailoutbox, team_pk=None, commits=None):
    method, url, data = request_for(w, name, team_pk)
    if user is not None:
        client.force_login(user)
    before, mails = state(), len(mailoutbox)

    assert commits is not None
    with commits():
        response = getattr(client, method)(url, data)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if expected in (403, 404, LOGIN):
        assert state() == before, "a refused request changed nothing"
        assert len(mailoutbox) == mails


def test_the_matrix_covers_every_team_url():
    names = {pattern.name for pattern in team_urls.urlpatterns}

    assert names == {name.split("-")[0] for name in NAMES} - {"result_json", "result_xlsx"}


@pytest.mark.parametrize("name", NAMES)
def test_the_teams_manager(client, world, name, mailoutbox, commits):
    check(client, world, name, world.manager, EXPECTED[name][0], mailoutbox, commits=commits)


@pytest.mark.parametrize("name", NAMES)
def test_a_plain_member(client, world, name, mailoutbox, commits):
    check(client, world, name, world.member, EXPECTED[name][1], mailoutbox, commits=commits)


@pytest.mark.parametrize("name", NAMES)
def test_another_teams_manager(client, world, name, mailoutbox, commits):
    check(client, world, name, world.other_manager, EXPECTED[name][2], mailoutbox, commits=commits)


@pytest.mark.parametrize("name", SUB_OBJECT)
def test_another_teams_manager_through_their_own_team(client, world, name, mailoutbox, commits):
    """Oscar puts his own team's id beside this team's cycle, member or assessment ids."""
    check(
        client,
        world,
        name,
        world.other_manager,
        404,
        mailoutbox,
        team_pk=world.other_team.pk,
        commits=commits,
    )


@pytest.mark.parametrize("name", NAMES)
def test_an_outsider(client, world, name, mailoutbox, commits):
    check(client, world, name, world.outsider, EXPECTED[name][3], mailoutbox, commits=commits)


@pytest.mark.parametrize("name", NAMES)
def test_a_visitor(client, world, name, mailoutbox, commits):
    check(client, world, name, None, EXPECTED[name][4], mailoutbox, commits=commits)


def test_team_lists_show_only_ones_own_teams(client, world):
    for user, teams in [
        (world.manager, [world.team]),
        (world.member, [world.team]),
        (world.other_manager, [world.other_team]),
        (world.outsider, []),
    ]:
        client.force_login(user)
        response = client.get(reverse("teams:list"))
        assert [m.team for m in response.context["memberships"]] == teams, user


def test_the_member_owns_their_result_and_the_manager_may_read_it(client, world):
    url = reverse("assessments:result_json", args=[world.result.pk])

    client.force_login(world.carol.user)
    own = client.get(url)
    client.force_login(world.manager)
    managers = client.get(url)
    client.force_login(world.other_manager)
    other = client.get(url)

    assert own.status_code == managers.status_code == 200
    assert managers.json() == own.json()
    assert managers.json()["assessment"] == world.result.pk
    assert other.status_code == 404


def test_the_manager_cannot_read_a_members_private_results_or_drafts(client, world):
    private = submitted(assessment_start(owner=world.carol.user, roles=[world.role]))
    alice = world.team.memberships.get(user=world.member)
    draft = cycle_assessment_start(cycle=world.cycle, membership=alice)
    client.force_login(world.manager)

    assert client.get(reverse("assessments:result_json", args=[private.pk])).status_code == 404
    assert client.get(reverse("assessments:result_json", args=[draft.pk])).status_code == 404
    assert client.get(reverse("assessments:detail", args=[world.result.pk])).status_code == 404
    review = client.get(reverse("teams:review", args=[world.team.pk, private.pk]))
    assert review.status_code == 404


def test_a_demoted_manager_loses_the_managers_pages(client, world):
    own = TeamMembership.objects.get(team=world.team, user=world.manager)
    TeamMembership.objects.create(team=world.team, user=UserFactory(), kind="manager")
    own.kind = "member"
    own.save(update_fields=["kind"])
    client.force_login(world.manager)

    for name in ("cycle", "review-get", "cycle_matrix-json", "result_json"):
        method, url, data = request_for(world, name)
        assert getattr(client, method)(url, data).status_code == 404, name


@pytest.mark.parametrize("change", ["removed", "demoted"])
@pytest.mark.parametrize("name", ["rename", "invitation_retry", "detail-manage"])
def test_a_former_manager_can_no_longer_rename_or_retry(
    client, world, change, name, mailoutbox, commits
):
    """Olivia managed the team; once removed (or made a plain member) she may not rename
    it or send its invitations, and a removed manager no longer sees the team at all."""
    own = TeamMembership.objects.get(team=world.team, user=world.manager)
    TeamMembership.objects.create(team=world.team, user=UserFactory(), kind="manager")
    if change == "removed":
        own.delete()
    else:
        own.kind = "member"
        own.save(update_fields=["kind"])
    client.force_login(world.manager)
    if name == "detail-manage":
        page = client.get(reverse("teams:detail", args=[world.team.pk]))
        if change == "removed":
            assert page.status_code == 404
        else:
            assert page.status_code == 200
            assert "rename_form" not in page.context
            assert reverse("teams:rename", args=[world.team.pk]).encode() not in page.content
        return
    before, mails = state(), len(mailoutbox)
    method, url, data = request_for(world, name)

    with commits():
        response = getattr(client, method)(url, data)

    assert response.status_code == 404
    assert state() == before
    assert len(mailoutbox) == mails
