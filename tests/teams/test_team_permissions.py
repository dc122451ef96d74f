"""Every team URL, for each kind of person.

The team "Plateforme" has a manager (olivia), a plain member (alice) and a member
whose assessment for the cycle is submitted and rated (carol). "Autre" is another
team with its own manager (oscar); mallory belongs to no team. What is not yours is
not found (404, never 403, so ids reveal nothing) and nothing changes.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import urls as assessment_urls
from assessments.models import Assessment
from assessments.services import assessment_start
from assessments.spreadsheets import XLSX_CONTENT_TYPE
from careers.models import Role
from teams import urls as team_urls
from teams.models import CycleExport, Invitation, ManagerRating, ReviewCycle, Team, TeamMembership
from teams.selectors import member_cycles
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    invitation_create,
    membership_remove,
    ratings_save,
    review_share,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.factories import UserFactory
from tests.pdf_text import pdf_text

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
    category: int  # the id of a category of the role's skills


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
        category=role.skills.values_list("category_id", flat=True).first(),
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
    first_skill = next(iter(w.result.snapshot["skills"].values()))["id"]
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
        # The heatmap's filters: the same page, each filter its own kept board
        "cycle-filtered": (
            "get",
            reverse("teams:cycle", args=[t, c]),
            {"role": w.role.code, "category": str(w.category), "gaps": "1"},
        ),
        "cycle_close": ("post", reverse("teams:cycle_close", args=[t, c]), {}),
        "cycle_start": ("post", reverse("teams:cycle_start", args=[t, c]), {}),
        "cycle_matrix-csv": ("get", reverse("teams:cycle_matrix", args=[t, c, "csv"]), {}),
        "cycle_matrix-json": ("get", reverse("teams:cycle_matrix", args=[t, c, "json"]), {}),
        "cycle_matrix-xlsx": ("get", reverse("teams:cycle_matrix", args=[t, c, "xlsx"]), {}),
        "cycle_pdf": ("get", reverse("teams:cycle_pdf", args=[t, c]), {}),
        "cycle_exports": ("get", reverse("teams:cycle_exports", args=[t, c]), {}),
        "cycle_export_request": (
            "post",
            reverse("teams:cycle_export_request", args=[t, c, "xlsx"]),
            {},
        ),
        "review-get": ("get", reverse("teams:review", args=[t, a]), {}),
        "review-post": ("post", reverse("teams:review", args=[t, a]), every_skill),
        "review_rating": (
            "post",
            reverse("teams:review_rating", args=[t, a, first_skill]),
            {
                f"r{first_skill}-level": "1",
                f"r{first_skill}-comment": "Autosaved",
                f"r{first_skill}-read": versions.get(first_skill, ""),
            },
        ),
        "review_share": ("post", reverse("teams:review_share", args=[t, a]), {"share": "1"}),
        "shared_review": ("get", reverse("teams:shared_review", args=[a]), {}),
        "invitation-get": ("get", w.invitation.get_absolute_url(), {}),
        "invitation-post": ("post", w.invitation.get_absolute_url(), {}),
        "result_json": ("get", reverse("assessments:result_json", args=[a]), {}),
        "result_xlsx": ("get", reverse("assessments:result_xlsx", args=[a]), {}),
        "result_csv": ("get", reverse("assessments:result_csv", args=[a]), {}),
        "result_pdf": ("get", reverse("assessments:result_pdf", args=[a]), {}),
        "compare": ("get", reverse("assessments:compare", args=[a]), {}),
        "simulate": ("get", reverse("assessments:simulate", args=[a]), {}),
        "path": ("get", reverse("assessments:path", args=[a, w.role.code]), {}),
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
    "cycle-filtered": (200, 404, 404, 404, LOGIN),
    "cycle_close": (302, 404, 404, 404, LOGIN),
    "cycle_start": (404, 302, 404, 404, LOGIN),  # members self-assess, managers rate
    "cycle_matrix-csv": (200, 404, 404, 404, LOGIN),
    "cycle_matrix-json": (200, 404, 404, 404, LOGIN),
    "cycle_matrix-xlsx": (200, 404, 404, 404, LOGIN),
    "cycle_pdf": (200, 404, 404, 404, LOGIN),
    "cycle_exports": (200, 404, 404, 404, LOGIN),
    "cycle_export_request": (302, 404, 404, 404, LOGIN),
    "review-get": (200, 404, 404, 404, LOGIN),
    "review-post": (302, 404, 404, 404, LOGIN),
    "review_rating": (200, 404, 404, 404, LOGIN),
    "review_share": (302, 404, 404, 404, LOGIN),
    # carol's, for carol alone (tests/teams/test_teams.py opens it as carol, once shared)
    "shared_review": (404, 404, 404, 404, LOGIN),
    "invitation-get": (200, 200, 200, 200, 200),
    "invitation-post": (403, 403, 403, 403, LOGIN),
    "result_json": (200, 404, 404, 404, LOGIN),  # carol's result: docs/DESIGN.md's manager rule
    "result_xlsx": (200, 404, 404, 404, LOGIN),
    "result_csv": (200, 404, 404, 404, LOGIN),
    "result_pdf": (200, 404, 404, 404, LOGIN),
    "compare": (200, 404, 404, 404, LOGIN),
    "simulate": (200, 404, 404, 404, LOGIN),
    "path": (200, 404, 404, 404, LOGIN),
}
# The assessments app's URLs of the matrix: carol's result, read by its team's manager
RESULT_FILES = {
    "result_json",
    "result_xlsx",
    "result_csv",
    "result_pdf",
    "compare",
    "simulate",
    "path",
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
    "cycle-filtered",
    "cycle_close",
    "cycle_matrix-csv",
    "cycle_matrix-json",
    "cycle_matrix-xlsx",
    "cycle_pdf",
    "cycle_exports",
    "cycle_export_request",
    "review-get",
    "review-post",
    "review_rating",
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
        list(CycleExport.objects.order_by("pk").values_list("pk", "status")),
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
    return response


def test_the_matrix_covers_every_team_url():
    names = {pattern.name for pattern in team_urls.urlpatterns}

    assert names == {name.split("-")[0] for name in NAMES} - RESULT_FILES


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

    for name in (
        "cycle",
        "cycle-filtered",
        "review-get",
        "review_rating",
        "cycle_matrix-json",
        "result_json",
    ):
        method, url, data = request_for(world, name)
        assert getattr(client, method)(url, data).status_code == 404, name


@pytest.mark.parametrize("change", ["removed", "demoted"])
@pytest.mark.parametrize(
    "name", ["rename", "invitation_retry", "detail-manage", "cycle", "cycle-filtered"]
)
def test_a_former_manager_can_no_longer_rename_or_retry(
    client, world, change, name, mailoutbox, commits
):
    """Olivia managed the team; once removed (or made a plain member) she may not rename
    it or send its invitations, nor see its dashboard (filtered or not), and a removed
    manager no longer sees the team at all."""
    if name.startswith("cycle"):  # the board kept while she could see it reaches her no more
        client.force_login(world.manager)
        method, url, data = request_for(world, name)
        assert getattr(client, method)(url, data).status_code == 200
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


# --- access after a change -------------------------------------------------------------
#
# Olivia sees carol's results, reviews and exports only while both are in the team, she
# as one of its managers and carol as one of its members. Each change below ends that at
# once: every URL that shows carol's data to olivia is asked before it (allowed) and
# after it (not found, nothing written), in the session olivia had all along.

PASSWORD = "correct-horse-battery"  # tests/factories.py

# Carol's result and review, by its id: not found once either one is out.
CAROLS = ["review-get", "review-post", "review_rating", "review_share", *sorted(RESULT_FILES)]
# The cycle's board and matrix files, kept under the team's revision: carol is a row of
# them. Not found once olivia no longer manages the team; without carol once she is out.
BOARD = ["cycle", "cycle_matrix-csv", "cycle_matrix-json", "cycle_matrix-xlsx", "cycle_pdf"]
# Every other URL of the two apps, and why it shows olivia nothing of carol's.
ELSEWHERE = {
    "teams:list": "olivia's own teams",
    "teams:detail": "names and target roles of today's people, read afresh: no results",
    "teams:rename": "the team's name",
    "teams:invite": "invitations: addresses, not people's data",
    "teams:invitation_resend": "invitations",
    "teams:invitation_retry": "invitations",
    "teams:invitation_revoke": "invitations",
    "teams:invitation": "invitations",
    "teams:member_remove": "carol's membership, which goes with her",
    "teams:member_kind": "carol's membership",
    "teams:member_target": "carol's membership",
    "teams:cycle_new": "a new cycle holds nobody's results",
    "teams:cycle_close": "closes the cycle, shows nothing",
    "teams:cycle_exports": "which files are made: no content (BOARD serves them)",
    "teams:cycle_export_request": "asks for a file, shows nothing (it is served as BOARD's)",
    "teams:cycle_start": "members start their own assessment; managers get 404",
    "teams:shared_review": "carol's, for carol alone",
    "assessments:list": "olivia's own",
    "assessments:new": "olivia's own",
    # The owner's alone: not found for olivia before any change (test below)
    "assessments:detail": "owner only",
    "assessments:step": "owner only",
    "assessments:answer": "owner only",
    "assessments:review": "owner only",
    "assessments:retake": "owner only",
    "assessments:continue": "owner only",
    "assessments:delete": "owner only",
}


def url_name(name: str) -> str:
    """The URL pattern a request of the matrix asks, with its app."""
    base = name.split("-")[0]
    return f"assessments:{base}" if base in RESULT_FILES else f"teams:{base}"


def as_user(user) -> Client:
    other = Client()
    other.force_login(user)
    return other


def posted(user, name: str, args: list, data: dict | None = None) -> None:
    """A change made through its page, by someone in another session than olivia's."""
    response = as_user(user).post(reverse(name, args=args), data or {})
    assert response.status_code == 302, (name, response.status_code)


def olivias(w: World) -> TeamMembership:
    return TeamMembership.objects.get(team=w.team, user=w.manager)


@dataclass(frozen=True)
class Change:
    name: str
    side: str  # whose standing changes: "member" (carol) or "manager" (olivia)
    make: Callable[[World, object], None]  # (world, maude: the team's other manager)

    def __str__(self) -> str:
        return self.name


CHANGES = [
    Change(
        "member-removed",
        "member",
        lambda w, maude: posted(w.manager, "teams:member_remove", [w.team.pk, w.carol.pk]),
    ),
    # No page lets a member leave (only deleting their account does): this is the one
    # write path a departure takes.
    Change(
        "member-leaves",
        "member",
        lambda w, maude: membership_remove(membership=TeamMembership.objects.get(pk=w.carol.pk)),
    ),
    Change(
        "member-promoted",
        "member",
        lambda w, maude: posted(
            w.manager, "teams:member_kind", [w.team.pk, w.carol.pk], {"kind": "manager"}
        ),
    ),
    Change(
        "member-deleted",
        "member",
        lambda w, maude: posted(w.carol.user, "account_delete", [], {"password": PASSWORD}),
    ),
    Change(
        "manager-demoted",
        "manager",
        lambda w, maude: posted(
            maude, "teams:member_kind", [w.team.pk, olivias(w).pk], {"kind": "member"}
        ),
    ),
    Change(
        "manager-removed",
        "manager",
        lambda w, maude: posted(maude, "teams:member_remove", [w.team.pk, olivias(w).pk]),
    ),
    Change(
        "manager-leaves",
        "manager",
        lambda w, maude: posted(w.manager, "teams:member_remove", [w.team.pk, olivias(w).pk]),
    ),
    Change(
        "manager-deleted",
        "manager",
        lambda w, maude: posted(w.manager, "account_delete", [], {"password": PASSWORD}),
    ),
]


@pytest.fixture
def maude(world):
    """The team's other manager: olivia may leave it, be demoted or removed."""
    maude = UserFactory(username="maude")
    TeamMembership.objects.create(team=world.team, user=maude, kind="manager")
    return maude


def still_in(w: World, change: Change) -> bool:
    user, kind = (w.carol.user, "member") if change.side == "member" else (w.manager, "manager")
    return TeamMembership.objects.filter(team=w.team, user__pk=user.pk, kind=kind).exists()


def shown(response) -> str:
    """The text of a page or file, the XLSX's cells included."""
    if response["Content-Type"] == XLSX_CONTENT_TYPE:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if response["Content-Type"] == "application/pdf":
        return pdf_text(response)
    return response.content.decode()


def after(change: Change, name: str):
    """What olivia gets once the change is made."""
    if change.name == "manager-deleted":
        return LOGIN  # her session went with her account
    if name in BOARD and change.side == "member":
        return 200  # her team's board, without carol
    return 404


def test_the_transitions_cover_every_url_of_both_apps():
    every = {f"teams:{p.name}" for p in team_urls.urlpatterns} | {
        f"assessments:{p.name}" for p in assessment_urls.urlpatterns
    }
    asked = {url_name(name) for name in CAROLS + BOARD}

    assert asked.isdisjoint(ELSEWHERE)
    assert asked | set(ELSEWHERE) == every
    assert set(CAROLS + BOARD) <= set(NAMES)


@pytest.mark.parametrize("change", CHANGES, ids=str)
@pytest.mark.parametrize("name", CAROLS + BOARD)
def test_a_change_in_the_team_ends_the_managers_access_at_once(
    client, world, maude, change, name, mailoutbox, commits
):
    response = check(
        client, world, name, world.manager, EXPECTED[name][0], mailoutbox, commits=commits
    )
    # The PDF report names no member: its figures are checked in test_cycle_pdf.py.
    if name in BOARD and name != "cycle_pdf":
        assert "carol" in shown(response)  # and the board is now kept

    change.make(world, maude)
    assert not still_in(world, change)
    response = check(client, world, name, None, after(change, name), mailoutbox, commits=commits)

    if response.status_code == 200:
        assert "carol" not in shown(response), "a board kept from before the change was served"


OWNERS_OWN = [name for name, why in ELSEWHERE.items() if why == "owner only"]


@pytest.mark.parametrize("name", OWNERS_OWN)
def test_the_owners_own_pages_of_a_result_are_not_found_for_the_manager(
    client, world, name, mailoutbox
):
    skill = next(iter(world.result.snapshot["skills"].values()))["id"]
    args = {"step": [world.result.pk, 1], "answer": [world.result.pk, skill]}
    url = reverse(name, args=args.get(name.split(":")[1], [world.result.pk]))
    client.force_login(world.manager)
    before = state()

    response = client.post(url, {f"s{skill}-level": "4", "go": "next"})

    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("change", CHANGES[:2], ids=str)
def test_a_former_member_no_longer_sees_the_team_and_keeps_what_is_theirs(
    client, world, maude, change
):
    """Carol's results stay hers, and so does a review shared with her before she left:
    it is about her, and its manager chose to show it to her."""
    review_share(assessment=world.result, manager=world.manager)
    change.make(world, maude)
    client.force_login(world.carol.user)
    t, c, a = world.team.pk, world.cycle.pk, world.result.pk

    assert client.get(reverse("teams:detail", args=[t])).status_code == 404
    assert client.get(reverse("teams:cycle_start", args=[t, c])).status_code == 404
    assert client.post(reverse("teams:cycle_start", args=[t, c])).status_code == 404
    assert [m.team for m in client.get(reverse("teams:list")).context["memberships"]] == []
    assert world.cycle not in [cycle for cycle, _, _ in member_cycles(world.carol.user)]
    assert client.get(reverse("teams:shared_review", args=[a])).status_code == 200
    for name in ("detail", "result_json", "result_xlsx"):
        assert client.get(reverse(f"assessments:{name}", args=[a])).status_code == 200, name


# --- a change between the page's check and the write ------------------------------------


@pytest.mark.parametrize("change", ["member removed", "member made a manager", "manager demoted"])
def test_a_rating_or_share_after_the_relationship_ended_writes_nothing(world, change):
    """The page checked access; the relationship ends before its write. The services read
    it again under the team's lock (teams/services.py `_check_still_reviewing`)."""
    from teams.services import NotReviewing, membership_remove

    ratings = ManagerRating.objects.filter(assessment=world.result).count()
    skill = next(iter(world.result.snapshot["skills"].values()))["id"]
    if change == "member removed":
        membership_remove(membership=world.carol)
    elif change == "member made a manager":
        TeamMembership.objects.filter(pk=world.carol.pk).update(kind="manager")
    else:
        TeamMembership.objects.filter(team=world.team, user=world.manager).update(kind="member")

    with pytest.raises(NotReviewing):
        ratings_save(assessment=world.result, manager=world.manager, values={skill: (1, "x")})
    with pytest.raises(NotReviewing):
        review_share(assessment=world.result, manager=world.manager)

    assert ManagerRating.objects.filter(assessment=world.result).count() == ratings
    assert Assessment.objects.get(pk=world.result.pk).review_shared_at is None
