"""Team reviews: teams and invitations, target roles, cycles, manager ratings, exports.

The people: `manager` runs the team "Plateforme", `individual` (alice) is a member of
it, `outsider` belongs to no team. Who may reach what is in test_team_permissions.py.
"""

import csv
import io
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment
from assessments.services import assessment_start
from careers.models import RoleRequirement
from teams.models import Invitation, ManagerRating, ReviewCycle, Team, TeamMembership
from teams.selectors import cycle_members
from teams.services import (
    cycle_assessment_start,
    cycle_close,
    cycle_open,
    invitation_create,
    ratings_save,
    team_create,
)
from tests.assessments.helpers import answer_all, submitted
from tests.factories import RoleFactory, UserFactory
from tests.teams.helpers import field, review_form

pytestmark = pytest.mark.django_db

MEMBER = TeamMembership.Kind.MEMBER
MANAGER = TeamMembership.Kind.MANAGER


# --- people and data ---------------------------------------------------------------


@pytest.fixture
def manager(db):
    return UserFactory(username="olivia")


@pytest.fixture
def team(manager, individual):
    team = team_create(manager=manager, name="Plateforme")
    TeamMembership.objects.create(team=team, user=individual)
    return team


@pytest.fixture
def second_manager(team):
    sam = UserFactory(username="sam")
    TeamMembership.objects.create(team=team, user=sam, kind=MANAGER)
    return sam


@pytest.fixture
def other_manager(db):
    """The manager of another team."""
    oscar = UserFactory(username="oscar")
    team_create(manager=oscar, name="Autre")
    return oscar


@pytest.fixture
def membership(team, individual):
    return team.memberships.get(user=individual)


@pytest.fixture
def role(catalogue):
    """AAA: needs every skill of the catalogue."""
    return catalogue[0]


@pytest.fixture
def cycle(team):
    return cycle_open(team=team, name="Revue 2025", due_date=in_days(30))


@pytest.fixture
def result(cycle, membership, role):
    """Alice's submitted assessment for the cycle, with an evidence note on one skill."""
    set_target(membership, role)
    assessment = submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    first = skills_in_order(assessment)[0]
    Answer.objects.filter(assessment=assessment, skill_id=first["id"]).update(
        note="Led the Q2 migration"
    )
    return assessment


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def set_target(membership, role):
    membership.target_role = role
    membership.save(update_fields=["target_role"])


def join(team, user, kind=MEMBER, role=None):
    return TeamMembership.objects.create(team=team, user=user, kind=kind, target_role=role)


def invite(team, email, kind=MEMBER):
    return invitation_create(
        team=team, email=email, kind=kind, invited_by=None, link_for=lambda i: "link"
    )


def skills_in_order(assessment):
    """The snapshot's skills in catalogue order, each with its code."""
    skills = assessment.snapshot["skills"]
    return [
        {"code": code, **skill}
        for code, skill in sorted(skills.items(), key=lambda i: i[1]["order"])
    ]


def rate(assessment, manager, levels, comment=""):
    """Manager levels by skill code (None removes the rating)."""
    ids = {code: skill["id"] for code, skill in assessment.snapshot["skills"].items()}
    ratings_save(
        assessment=assessment,
        manager=manager,
        values={ids[code]: (level, comment) for code, level in levels.items()},
    )


def levels_of(assessment):
    """The stored ratings: skill code -> (level, comment)."""
    return {r.skill.code: (r.level, r.comment) for r in assessment.ratings.select_related("skill")}


def refused_to_others(client, assessment, data, other_manager):
    """The review's POST is not found by another team's manager, a member or an outsider."""
    before = list(ManagerRating.objects.values_list("pk", "level", "comment", "revision"))
    member = assessment.cycle.team.memberships.filter(kind=MEMBER).first().user
    outsider = UserFactory()
    for user in (other_manager, member, outsider):
        assert login(client, user).post(review_url(assessment), data).status_code == 404
        assert client.get(review_url(assessment)).status_code == 404
    assert list(ManagerRating.objects.values_list("pk", "level", "comment", "revision")) == before
    client.logout()


def rating_form(assessment, levels, comments=None):
    """The review form's POST data: every skill, blank (left as it is) where no level is
    given, without the versions read: for skills not rated yet."""
    comments = comments or {}
    data = {}
    for skill in skills_in_order(assessment):
        level = levels.get(skill["code"])
        data[f"r{skill['id']}-level"] = "" if level is None else str(level)
        data[f"r{skill['id']}-comment"] = comments.get(skill["code"], "")
    return data


def review_url(assessment):
    return reverse("teams:review", args=[assessment.cycle.team_id, assessment.pk])


def login(client, user):
    client.force_login(user)
    return client


# --- teams ---------------------------------------------------------------------------


def test_creating_a_team_makes_its_creator_its_manager(client, manager):
    response = login(client, manager).post(reverse("teams:list"), {"name": "Plateforme"})

    team = Team.objects.get()
    assert response.status_code == 302
    assert response["Location"] == team.get_absolute_url()
    assert list(team.memberships.values_list("user", "kind")) == [(manager.pk, MANAGER)]


def test_a_new_team_says_who_to_invite_until_someone_joins(client, manager, individual):
    team = team_create(manager=manager, name="Plateforme")
    hint = "Vous êtes seul·e pour l’instant : invitez les membres de l’équipe"

    assert hint in login(client, manager).get(team.get_absolute_url()).text

    join(team, individual)
    assert hint not in client.get(team.get_absolute_url()).text


def test_a_person_can_manage_several_teams_and_belong_to_several(client, manager, individual):
    mine = [team_create(manager=individual, name=name) for name in ("A", "B")]
    theirs = [team_create(manager=manager, name=name) for name in ("C", "D")]
    for team in theirs:
        join(team, individual)

    response = login(client, individual).get(reverse("teams:list"))

    kinds = {m.team: m.kind for m in response.context["memberships"]}
    assert kinds == {mine[0]: MANAGER, mine[1]: MANAGER, theirs[0]: MEMBER, theirs[1]: MEMBER}


def test_a_blank_team_name_creates_nothing(client, manager):
    response = login(client, manager).post(reverse("teams:list"), {"name": ""})

    assert response.status_code == 200
    assert not Team.objects.exists()


# --- invitations ---------------------------------------------------------------------


def test_an_invitation_is_mailed_with_its_link(
    client, manager, team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, manager).post(
            reverse("teams:invite", args=[team.pk]),
            {"email": " New@Example.com", "kind": "member"},
        )

    invitation = Invitation.objects.get()
    link = f"http://testserver{invitation.get_absolute_url()}"
    assert response.status_code == 302
    assert (invitation.email, invitation.kind, invitation.team) == (
        "new@example.com",
        MEMBER,
        team,
    )
    assert invitation.invited_by == manager
    assert [m.to for m in mailoutbox] == [["new@example.com"]]
    assert link in mailoutbox[0].body


def test_the_new_link_is_shown_once_to_the_manager_to_copy(client, manager, team):
    login(client, manager).post(
        reverse("teams:invite", args=[team.pk]), {"email": "new@example.com", "kind": "member"}
    )
    invitation = Invitation.objects.get()

    first = client.get(team.get_absolute_url())
    again = client.get(team.get_absolute_url())

    assert first.context["new_invitation"] == {
        "email": "new@example.com",
        "link": f"http://testserver{invitation.get_absolute_url()}",
    }
    assert again.context["new_invitation"] is None


def test_an_invalid_email_sends_nothing(client, manager, team, mailoutbox):
    response = login(client, manager).post(
        reverse("teams:invite", args=[team.pk]), {"email": "not-an-email", "kind": "member"}
    )

    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_invitation_links_are_unguessable_and_expire(team):
    invitations = [invite(team, f"p{i}@example.com") for i in range(20)]

    tokens = {i.token for i in invitations}
    assert len(tokens) == 20
    for token in tokens:
        # secrets.token_urlsafe(32): 32 random bytes, 256 bits, 43 URL-safe characters
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", token)
    lifetime = invitations[0].expires_at - invitations[0].created_at
    assert abs(lifetime - timedelta(days=Invitation.VALID_FOR_DAYS)) < timedelta(minutes=1)


def test_inviting_the_same_address_again_ends_the_earlier_link(team):
    first = invite(team, "new@example.com")
    second = invite(team, "NEW@example.com")

    first.refresh_from_db()
    assert first.status == "revoked"
    assert second.is_usable


def test_a_visitor_sees_the_invitation_page(client, team):
    invitation = invite(team, "new@example.com")

    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 200
    assert response.context["invitation"] == invitation


def test_an_unknown_token_is_not_found(client, individual):
    response = login(client, individual).get(reverse("teams:invitation", args=["x" * 43]))

    assert response.status_code == 404


def test_a_visitor_who_accepts_is_sent_to_log_in_then_back(client, team):
    invitation = invite(team, "new@example.com")

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={invitation.get_absolute_url()}"
    assert team.memberships.count() == 2
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_signing_up_from_an_invitation_returns_to_it_once_confirmed(client, team, mailoutbox):
    invitation = invite(team, "new@example.com")
    url = invitation.get_absolute_url()
    password = "a-long-pass-phrase-42"

    response = client.post(
        f"{reverse('signup')}?next={url}",
        {
            "username": "newcomer",
            "email": "new@example.com",
            "password1": password,
            "password2": password,
        },
    )
    link = re.search(r"http://testserver(/\S+)", mailoutbox[-1].body).group(1)
    confirmed = client.post(link)
    logged_in = client.post(confirmed["Location"], {"username": "newcomer", "password": password})
    accepted = client.post(url)

    assert response["Location"] == f"{reverse('signup_done')}?next={quote(url, safe='')}"
    assert confirmed["Location"] == f"{reverse('login')}?next={quote(url, safe='')}"
    assert logged_in["Location"] == url
    assert accepted.status_code == 302
    assert accepted["Location"] == team.get_absolute_url()
    assert team.memberships.filter(user__username="newcomer", kind=MEMBER).exists()


def test_accepting_joins_the_team_and_uses_up_the_link(client, team, outsider):
    invitation = invite(team, "mallory@example.com")

    response = login(client, outsider).post(invitation.get_absolute_url())

    invitation.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == team.get_absolute_url()
    assert team.memberships.get(user=outsider).kind == MEMBER
    assert invitation.status == "accepted"
    assert invitation.accepted_by == outsider


def test_a_used_link_cannot_be_used_again(client, team, outsider):
    invitation = invite(team, "mallory@example.com")
    login(client, outsider).post(invitation.get_absolute_url())
    latecomer = UserFactory(username="late")

    page = login(client, latecomer).get(invitation.get_absolute_url())
    response = client.post(invitation.get_absolute_url())

    assert page.status_code == 200
    assert not page.context["invitation"].is_usable
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not team.memberships.filter(user=latecomer).exists()


def test_an_expired_link_cannot_be_used(client, team, outsider):
    invitation = invite(team, "mallory@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = login(client, outsider).post(invitation.get_absolute_url())

    assert response["Location"] == reverse("home")
    assert not team.memberships.filter(user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.status == "expired"


def test_a_revoked_link_cannot_be_used(client, manager, team, outsider):
    invitation = invite(team, "mallory@example.com")
    login(client, manager).post(reverse("teams:invitation_revoke", args=[team.pk, invitation.pk]))

    response = login(client, outsider).post(invitation.get_absolute_url())

    assert response["Location"] == reverse("home")
    assert not team.memberships.filter(user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_resending_mails_a_new_link_and_kills_the_old_one(
    client, manager, team, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    old = invite(team, "mallory@example.com", kind=MANAGER)

    with django_capture_on_commit_callbacks(execute=True):
        login(client, manager).post(reverse("teams:invitation_resend", args=[team.pk, old.pk]))

    old.refresh_from_db()
    new = team.invitations.get(revoked_at=None)
    assert new.token != old.token
    assert (new.email, new.kind) == ("mallory@example.com", MANAGER)
    assert old.status == "revoked"
    assert f"http://testserver{new.get_absolute_url()}" in mailoutbox[-1].body
    assert (
        client.get(team.get_absolute_url())
        .context["new_invitation"]["link"]
        .endswith(new.get_absolute_url())
    )
    login(client, outsider)
    assert client.post(old.get_absolute_url())["Location"] == reverse("home")
    assert client.post(new.get_absolute_url())["Location"] == team.get_absolute_url()


def test_the_team_page_lists_only_pending_invitations(client, manager, team):
    pending = invite(team, "pending@example.com")
    Invitation.objects.filter(pk=invite(team, "expired@example.com").pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    invite(team, "revoked@example.com")
    team.invitations.filter(email="revoked@example.com").update(revoked_at=timezone.now())

    response = login(client, manager).get(team.get_absolute_url())

    assert response.context["invitations"] == [pending]


# --- managers and members ------------------------------------------------------------


def test_a_manager_invitation_adds_a_second_manager(client, team, outsider):
    invitation = invite(team, "mallory@example.com", kind=MANAGER)

    login(client, outsider).post(invitation.get_absolute_url())

    assert team.memberships.filter(kind=MANAGER).count() == 2
    page = client.get(team.get_absolute_url())
    assert "teams/manage.html" in [t.name for t in page.templates]


def test_a_member_can_be_made_manager(client, manager, team, membership):
    login(client, manager).post(
        reverse("teams:member_kind", args=[team.pk, membership.pk]), {"kind": "manager"}
    )

    membership.refresh_from_db()
    assert membership.is_manager


def test_an_unknown_kind_is_refused(client, manager, team, membership):
    response = login(client, manager).post(
        reverse("teams:member_kind", args=[team.pk, membership.pk]), {"kind": "owner"}
    )

    membership.refresh_from_db()
    assert response.status_code == 404
    assert membership.kind == MEMBER


def test_a_manager_removes_a_member(client, manager, team, membership, result):
    response = login(client, manager).post(
        reverse("teams:member_remove", args=[team.pk, membership.pk])
    )

    assert response.status_code == 302
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()
    assert Assessment.objects.filter(pk=result.pk).exists(), "the member's results stay theirs"


def test_the_last_manager_cannot_be_removed(client, manager, team):
    own = team.memberships.get(user=manager)

    response = login(client, manager).post(reverse("teams:member_remove", args=[team.pk, own.pk]))

    assert response.status_code == 302
    assert TeamMembership.objects.filter(pk=own.pk, kind=MANAGER).exists()


def test_the_last_manager_cannot_be_demoted(client, manager, team):
    own = team.memberships.get(user=manager)

    login(client, manager).post(
        reverse("teams:member_kind", args=[team.pk, own.pk]), {"kind": "member"}
    )

    own.refresh_from_db()
    assert own.is_manager


def test_with_a_second_manager_the_first_can_step_down(client, manager, team, membership):
    join(team, UserFactory(), kind=MANAGER)
    own = team.memberships.get(user=manager)

    login(client, manager).post(
        reverse("teams:member_kind", args=[team.pk, own.pk]), {"kind": "member"}
    )

    own.refresh_from_db()
    assert not own.is_manager


# --- target roles --------------------------------------------------------------------


def test_the_manager_sets_a_target_role_the_member_then_sees(
    client, manager, individual, team, membership, role
):
    login(client, manager).post(
        reverse("teams:member_target", args=[team.pk, membership.pk]), {"role": role.pk}
    )

    membership.refresh_from_db()
    assert membership.target_role == role
    page = login(client, individual).get(team.get_absolute_url())
    assert page.status_code == 200
    assert page.context["membership"].target_role == role
    assert "teams/member.html" in [t.name for t in page.templates]


def test_an_unpublished_target_role_is_refused(client, manager, team, membership, role):
    set_target(membership, role)
    hidden = RoleFactory(is_published=False)

    login(client, manager).post(
        reverse("teams:member_target", args=[team.pk, membership.pk]), {"role": hidden.pk}
    )

    membership.refresh_from_db()
    assert membership.target_role == role


def test_the_target_role_can_be_cleared(client, manager, team, membership, role):
    set_target(membership, role)

    login(client, manager).post(
        reverse("teams:member_target", args=[team.pk, membership.pk]), {"role": ""}
    )

    membership.refresh_from_db()
    assert membership.target_role is None


# --- cycles --------------------------------------------------------------------------


def test_a_manager_opens_a_cycle(client, manager, team):
    response = login(client, manager).post(
        reverse("teams:cycle_new", args=[team.pk]), {"name": "Revue 2025", "due_date": in_days(7)}
    )

    cycle = ReviewCycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == cycle.get_absolute_url()
    assert (cycle.team, cycle.name, cycle.due_date, cycle.is_open) == (
        team,
        "Revue 2025",
        in_days(7),
        True,
    )


def test_a_past_due_date_is_refused(client, manager, team):
    response = login(client, manager).post(
        reverse("teams:cycle_new", args=[team.pk]), {"name": "Late", "due_date": in_days(-1)}
    )

    assert response.status_code == 302
    assert response["Location"] == team.get_absolute_url()
    assert not ReviewCycle.objects.exists()


def test_the_dashboard_shows_each_members_status(client, manager, team, cycle, catalogue, role):
    invite(team, "invited@example.com")
    invite(team, "boss@example.com", kind=MANAGER)  # managers are not reviewed
    join(team, UserFactory(username="bob"), role=role)
    carol = join(team, UserFactory(username="carol"), role=role)
    answer_all(cycle_assessment_start(cycle=cycle, membership=carol))
    dave = join(team, UserFactory(username="dave"), role=role)
    rate(submitted(cycle_assessment_start(cycle=cycle, membership=dave)), manager, {})
    erin = join(team, UserFactory(username="erin"), role=role)
    reviewed = submitted(cycle_assessment_start(cycle=cycle, membership=erin))
    rate(reviewed, manager, {code: 2 for code in reviewed.snapshot["levels"]})
    other = team_create(manager=UserFactory(), name="Autre")  # not this team's business
    invite(other, "elsewhere@example.com")

    response = login(client, manager).get(cycle.get_absolute_url())

    statuses = {row.name: row.status for row in response.context["members"]}
    assert statuses == {
        "alice": "not_started",
        "bob": "not_started",
        "carol": "in_progress",
        "dave": "submitted",
        "erin": "reviewed",
        "invited@example.com": "invited",
    }
    assert statuses == {row.name: row.status for row in cycle_members(cycle)}


def test_members_see_their_teams_cycles_in_my_assessments(
    client, manager, individual, outsider, team, cycle
):
    mine = login(client, individual).get(reverse("assessments:list"))
    managers = login(client, manager).get(reverse("assessments:list"))
    outsiders = login(client, outsider).get(reverse("assessments:list"))

    assert [(c, m.user, a) for c, m, a in mine.context["cycles"]] == [(cycle, individual, None)]
    assert managers.context["cycles"] == []
    assert outsiders.context["cycles"] == []


def test_starting_a_cycle_makes_one_assessment_for_the_target_role(
    client, individual, team, membership, cycle, role
):
    set_target(membership, role)
    url = reverse("teams:cycle_start", args=[team.pk, cycle.pk])

    first = login(client, individual).post(url)
    second = client.post(url)

    assessment = Assessment.objects.get(owner=individual)
    assert assessment.cycle == cycle
    assert list(assessment.roles.all()) == [role]
    assert first["Location"] == second["Location"] == assessment.get_absolute_url()
    listed = client.get(reverse("assessments:list")).context["cycles"]
    assert [a for _c, _m, a in listed] == [assessment]


def test_without_a_target_role_the_member_chooses_roles_for_the_cycle(
    client, individual, team, cycle, catalogue
):
    response = login(client, individual).post(
        reverse("teams:cycle_start", args=[team.pk, cycle.pk])
    )
    new_url = reverse("teams:cycle_start", args=[team.pk, cycle.pk])
    page = client.get(new_url)
    client.post(new_url, {"roles": [catalogue[1].pk], "cycle": cycle.pk})

    assessment = Assessment.objects.get(owner=individual)
    assert response["Location"] == new_url
    assert page.context["cycle"] == cycle
    assert assessment.cycle == cycle
    assert list(assessment.roles.all()) == [catalogue[1]]


def test_resuming_without_a_target_role_returns_to_the_draft(
    client, individual, team, membership, cycle, catalogue
):
    draft = cycle_assessment_start(cycle=cycle, membership=membership, roles=[catalogue[1]])

    response = login(client, individual).post(
        reverse("teams:cycle_start", args=[team.pk, cycle.pk])
    )

    assert response["Location"] == draft.get_absolute_url()
    assert Assessment.objects.get(owner=individual) == draft


def test_a_manager_closes_the_cycle(client, manager, team, cycle):
    response = login(client, manager).post(reverse("teams:cycle_close", args=[team.pk, cycle.pk]))

    cycle.refresh_from_db()
    assert response["Location"] == cycle.get_absolute_url()
    assert not cycle.is_open


def test_a_closed_cycle_cannot_be_started(client, individual, team, membership, cycle, role):
    set_target(membership, role)
    cycle_close(cycle=cycle)

    response = login(client, individual).post(
        reverse("teams:cycle_start", args=[team.pk, cycle.pk])
    )

    assert response["Location"] == reverse("assessments:list")
    assert not Assessment.objects.exists()


@pytest.fixture
def frozen_draft(cycle, membership, role):
    """Alice's fully answered draft in a cycle that was then closed."""
    set_target(membership, role)
    draft = cycle_assessment_start(cycle=cycle, membership=membership)
    answer_all(draft, level_for=lambda i: 1)
    cycle_close(cycle=cycle)
    return draft


def answers_of(assessment):
    return sorted(
        Answer.objects.filter(assessment=assessment).values_list("skill", "level", "note")
    )


def test_a_closed_cycle_refuses_answers_on_a_step(client, individual, frozen_draft):
    before = answers_of(frozen_draft)
    skill = RoleRequirement.objects.filter(role__in=frozen_draft.roles.all()).first().skill

    response = login(client, individual).post(
        reverse("assessments:step", args=[frozen_draft.pk, 1]),
        {f"s{skill.pk}-level": "4", f"s{skill.pk}-note": "changed", "go": "next"},
    )

    assert response.status_code == 302
    assert answers_of(frozen_draft) == before


def test_a_closed_cycle_refuses_autosave(client, individual, frozen_draft):
    before = answers_of(frozen_draft)
    skill = RoleRequirement.objects.filter(role__in=frozen_draft.roles.all()).first().skill

    response = login(client, individual).post(
        reverse("assessments:answer", args=[frozen_draft.pk, skill.pk]),
        {f"s{skill.pk}-level": "4"},
    )

    assert response.status_code == 409
    assert answers_of(frozen_draft) == before


def test_a_closed_cycle_refuses_submission(client, individual, frozen_draft):
    response = login(client, individual).post(reverse("assessments:review", args=[frozen_draft.pk]))

    frozen_draft.refresh_from_db()
    assert response.status_code == 200
    assert frozen_draft.is_draft
    assert frozen_draft.snapshot is None


def test_a_closed_cycle_refuses_ratings(client, manager, result):
    rate(result, manager, {skills_in_order(result)[0]["code"]: 2})
    cycle_close(cycle=result.cycle)
    before = list(ManagerRating.objects.values_list("skill", "level", "comment"))

    response = login(client, manager).post(
        review_url(result), rating_form(result, {code: 4 for code in result.snapshot["levels"]})
    )

    assert response.status_code == 302
    assert list(ManagerRating.objects.values_list("skill", "level", "comment")) == before


# --- manager ratings -----------------------------------------------------------------


def test_the_manager_rates_a_submitted_assessment(client, manager, result):
    first, second = [s["code"] for s in skills_in_order(result)[:2]]

    response = login(client, manager).post(
        review_url(result),
        rating_form(result, {first: 3, second: 0}, comments={first: "Seen in the audit"}),
    )

    assert response.status_code == 302
    assert response["Location"] == review_url(result)
    saved = {(r.skill.code, r.level, r.comment, r.rated_by) for r in result.ratings.all()}
    assert saved == {(first, 3, "Seen in the audit", manager), (second, 0, "", manager)}


def test_no_rating_is_a_choice_that_is_posted(client, manager, other_manager, result):
    first, second = [s["code"] for s in skills_in_order(result)[:2]]
    rate(result, manager, {first: 3, second: 1})
    data = review_form(login(client, manager).get(review_url(result)).content.decode())
    data[field(result, first, "level")] = "none"
    data[field(result, second, "level")] = ""  # blank: not a choice the page offers

    refused_to_others(client, result, data, other_manager)
    response = login(client, manager).post(review_url(result), data)

    assert response.status_code == 302
    assert levels_of(result) == {second: (1, "")}


def test_a_comment_on_an_unrated_row_is_refused_with_the_typed_text_kept(
    client, manager, other_manager, result
):
    """A rating holds its comment: with no level there is nothing to hold it, so the
    Save button says so on the row instead of dropping the text."""
    first, second = [s["code"] for s in skills_in_order(result)[:2]]
    rate(result, manager, {first: 3})
    data = review_form(login(client, manager).get(review_url(result)).content.decode())
    data[field(result, first, "level")] = "1"
    data[field(result, second, "comment")] = "À voir en entretien"

    refused_to_others(client, result, data, other_manager)
    response = login(client, manager).post(review_url(result), data)

    assert response.status_code == 200
    assert levels_of(result) == {first: (3, "")}  # nothing saved, the other row neither
    assert "Un commentaire est enregistré avec un niveau : choisissez-en un." in response.text
    assert "À voir en entretien</textarea>" in response.text


def test_a_review_post_without_the_rating_fields_changes_nothing(
    client, manager, other_manager, result
):
    """It used to read every missing field as "no rating": 6 ratings -> 0."""
    codes = [s["code"] for s in skills_in_order(result)]
    rate(result, manager, dict.fromkeys(codes, 2), comment="Vu en revue")
    before = levels_of(result)

    refused_to_others(client, result, {}, other_manager)
    response = login(client, manager).post(review_url(result), {})

    assert response.status_code == 302
    assert levels_of(result) == before
    assert len(before) == len(codes) == 6


def test_a_field_the_request_does_not_carry_is_left_as_it_is(
    client, manager, other_manager, result
):
    first, second, third = [s["code"] for s in skills_in_order(result)[:3]]
    rate(result, manager, {first: 2, second: 2, third: 2}, comment="Vu en revue")
    page = review_form(login(client, manager).get(review_url(result)).content.decode())
    # a level without its comment, a comment without its level, nothing for the third
    data = {field(result, first, "level"): "4", field(result, first, "read"): ""}
    data[field(result, first, "read")] = page[field(result, first, "read")]
    data[field(result, second, "comment")] = "Plus autonome"
    data[field(result, second, "read")] = page[field(result, second, "read")]

    refused_to_others(client, result, data, other_manager)
    response = login(client, manager).post(review_url(result), data)

    assert response.status_code == 302
    assert levels_of(result) == {
        first: (4, "Vu en revue"),
        second: (2, "Plus autonome"),
        third: (2, "Vu en revue"),
    }


def test_a_form_read_before_another_managers_save_does_not_overwrite_it(
    client, manager, second_manager, other_manager, result
):
    """Olivia opens the review; Sam saves a level and a comment; Olivia saves hers."""
    first, second, third = [s["code"] for s in skills_in_order(result)[:3]]
    rate(result, manager, {first: 1, third: 2})
    stale = review_form(login(client, manager).get(review_url(result)).content.decode())
    sams = review_form(login(client, second_manager).get(review_url(result)).content.decode())
    sams[field(result, first, "level")] = "3"
    sams[field(result, first, "comment")] = "Pilote la migration"
    sams[field(result, third, "level")] = "4"
    assert client.post(review_url(result), sams).status_code == 302
    stale[field(result, first, "level")] = "2"
    stale[field(result, first, "comment")] = "À confirmer"
    stale[field(result, second, "level")] = "4"  # nobody rated it meanwhile

    refused_to_others(client, result, stale, other_manager)
    response = login(client, manager).post(review_url(result), stale)

    # Sam's are kept; Olivia's other change is saved; she is told, on the page
    assert response.status_code == 409
    assert levels_of(result) == {
        first: (3, "Pilote la migration"),
        second: (4, ""),
        third: (4, ""),
    }
    page = response.content.decode()
    assert "Pilote la migration" in page
    assert "Modifiée par un autre manager" in page
    assert "1 évaluation a été modifiée par un autre manager" in page
    # what she typed is on the page, over Sam's version, and can be saved again knowingly
    again = review_form(page)
    assert again[field(result, first, "level")] == "2"
    assert again[field(result, first, "comment")] == "À confirmer"
    assert again[field(result, third, "level")] == "4"  # Sam's, which she did not touch
    assert client.post(review_url(result), again).status_code == 302
    assert levels_of(result) == {first: (2, "À confirmer"), second: (4, ""), third: (4, "")}


def test_a_refused_comment_keeps_the_newer_level_in_the_form(
    client, manager, second_manager, other_manager, result
):
    """Resubmitting the page must not clear the level the request did not carry."""
    first = skills_in_order(result)[0]["code"]
    rate(result, manager, {first: 2})
    read = review_form(login(client, manager).get(review_url(result)).content.decode())
    rate(result, second_manager, {first: 3})
    data = {
        field(result, first, "level"): "",  # blank: left as it is
        field(result, first, "comment"): "Mon commentaire",
        field(result, first, "read"): read[field(result, first, "read")],
    }

    refused_to_others(client, result, data, other_manager)
    response = login(client, manager).post(review_url(result), data)

    assert response.status_code == 409
    again = review_form(response.content.decode())
    assert again[field(result, first, "level")] == "3"
    assert again[field(result, first, "comment")] == "Mon commentaire"
    assert client.post(review_url(result), again).status_code == 302
    assert levels_of(result) == {first: (3, "Mon commentaire")}


def test_a_first_rating_given_meanwhile_is_not_overwritten(client, manager, second_manager, result):
    first = skills_in_order(result)[0]["code"]
    stale = review_form(login(client, manager).get(review_url(result)).content.decode())
    rate(result, second_manager, {first: 3}, comment="Sam")
    stale[field(result, first, "level")] = "1"

    response = client.post(review_url(result), stale)

    assert response.status_code == 409
    assert levels_of(result) == {first: (3, "Sam")}


def test_a_rating_removed_and_given_again_is_not_the_one_a_stale_form_read(
    client, manager, second_manager, result
):
    first = skills_in_order(result)[0]["code"]
    rate(result, manager, {first: 2})
    stale = review_form(login(client, manager).get(review_url(result)).content.decode())
    rate(result, second_manager, {first: None})
    rate(result, second_manager, {first: 4}, comment="Sam")  # revision 1 again
    stale[field(result, first, "level")] = "1"

    response = client.post(review_url(result), stale)

    assert response.status_code == 409
    assert levels_of(result) == {first: (4, "Sam")}


def test_a_save_that_writes_nothing_is_not_reported_as_saved(client, manager, result):
    first = skills_in_order(result)[0]["code"]
    rate(result, manager, {first: 2})
    untouched = review_form(login(client, manager).get(review_url(result)).content.decode())

    response = client.post(review_url(result), untouched, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Aucune évaluation n’a changé."]
    assert result.ratings.get().revision == 1


def test_each_change_bumps_the_rating_s_revision(manager, result):
    first = skills_in_order(result)[0]
    rate(result, manager, {first["code"]: 2})
    rating = result.ratings.get()
    assert rating.revision == 1

    saved = ratings_save(
        assessment=result,
        manager=manager,
        values={first["id"]: (3, "")},
        read={first["id"]: rating.version},
    )
    refused = ratings_save(
        assessment=result,
        manager=manager,
        values={first["id"]: (4, "")},
        read={first["id"]: rating.version},  # the one before the change
    )

    rating.refresh_from_db()
    assert (saved.changed, saved.conflicts) == (1, {})
    assert (refused.changed, list(refused.conflicts)) == (0, [first["id"]])
    assert refused.conflicts[first["id"]] == rating
    assert (rating.level, rating.revision) == (3, 2)


@pytest.mark.parametrize("level", ["5", "-1", "x"])
def test_an_out_of_range_level_saves_nothing(client, manager, result, level):
    first, second = [s["code"] for s in skills_in_order(result)[:2]]
    data = rating_form(result, {second: 2})
    data[f"r{result.snapshot['skills'][first]['id']}-level"] = level

    response = login(client, manager).post(review_url(result), data)

    assert response.status_code == 200
    assert not ManagerRating.objects.exists()


def test_the_review_shows_self_and_manager_side_by_side(client, manager, result):
    skills = skills_in_order(result)
    own = result.snapshot["levels"]
    # two levels or more apart: blind spots; equal: not; the last skill is left unrated
    ratings = {s["code"]: (4 if own[s["code"]] <= 1 else 0) for s in skills[:3]}
    ratings |= {s["code"]: own[s["code"]] for s in skills[3:5]}
    rate(result, manager, ratings)

    response = login(client, manager).get(review_url(result))

    rows = {row["code"]: row for row in response.context["rows"]}
    assert [row["code"] for row in response.context["rows"]] == [s["code"] for s in skills]
    for code, row in rows.items():
        assert row["self"] == own[code]
        assert row["manager"] == ratings.get(code)
    assert rows[skills[0]["code"]]["note"] == "Led the Q2 migration"
    assert rows[skills[1]["code"]]["note"] == ""
    expected_spots = {code for code, level in ratings.items() if abs(level - own[code]) >= 2}
    assert {code for code, row in rows.items() if row["blind_spot"]} == expected_spots
    assert response.context["blind_spots"] == len(expected_spots) == 3


def test_a_draft_cannot_be_reviewed_yet(client, manager, cycle, membership, role):
    set_target(membership, role)
    draft = cycle_assessment_start(cycle=cycle, membership=membership)

    response = login(client, manager).get(review_url(draft))
    shared = client.post(reverse("teams:review_share", args=[cycle.team_id, draft.pk]))

    draft.refresh_from_db()
    assert response["Location"] == cycle.get_absolute_url()
    assert shared.status_code == 302
    assert draft.review_shared_at is None


def test_the_member_sees_the_review_once_shared(client, manager, individual, outsider, result):
    shared_url = reverse("teams:shared_review", args=[result.pk])
    first = skills_in_order(result)[0]["code"]
    rate(result, manager, {first: 4})
    assert login(client, individual).get(shared_url).status_code == 404

    login(client, manager).post(
        reverse("teams:review_share", args=[result.cycle.team_id, result.pk]), {"share": "1"}
    )

    result.refresh_from_db()
    assert result.review_shared_at is not None
    page = login(client, individual).get(shared_url)
    assert page.status_code == 200
    assert [row["manager"] for row in page.context["rows"]][0] == 4
    # levels read as on the manager's page: number and label, for both columns
    assert "<td>4 · Expert (fait référence, forme les autres)</td>" in page.text
    own = page.context["rows"][0]["self"]
    assert f"<td>{own} · " in page.text
    assert login(client, outsider).get(shared_url).status_code == 404
    assert login(client, manager).get(shared_url).status_code == 404


def test_sharing_can_be_withdrawn(client, manager, individual, result):
    url = reverse("teams:review_share", args=[result.cycle.team_id, result.pk])
    login(client, manager).post(url, {"share": "1"})

    client.post(url, {"share": "0"})

    result.refresh_from_db()
    assert result.review_shared_at is None
    shared_url = reverse("teams:shared_review", args=[result.pk])
    assert login(client, individual).get(shared_url).status_code == 404


# --- exports -------------------------------------------------------------------------


@pytest.fixture
def rated_cycle(manager, team, cycle, result, catalogue):
    """Alice (AAA) rated on two skills, Bob (BBB) not rated, Carol still answering."""
    first, second = [s["code"] for s in skills_in_order(result)[:2]]
    rate(result, manager, {first: 4, second: 0})
    bob = join(team, UserFactory(username="bob"), role=catalogue[1])
    submitted(cycle_assessment_start(cycle=cycle, membership=bob), level_for=lambda i: 2)
    carol = join(team, UserFactory(username="carol"), role=catalogue[0])
    cycle_assessment_start(cycle=cycle, membership=carol)
    return cycle


def expected_matrix(cycle):
    """The export worked out from the database: requirements, answers and ratings."""
    rows = {}
    for assessment in Assessment.objects.filter(cycle=cycle, status="submitted"):
        role = TeamMembership.objects.get(team=cycle.team, user=assessment.owner).target_role
        own = dict(assessment.answers.values_list("skill__code", "level"))
        rated = dict(assessment.ratings.values_list("skill__code", "level"))
        for req in RoleRequirement.objects.filter(role=role).select_related("skill"):
            code = req.skill.code
            used = rated.get(code, own[code])
            rows[(assessment.owner.username, code)] = {
                "role": role.code,
                "self": own[code],
                "manager": rated.get(code),
                "used": used,
                "target": req.target,
                "gap": max(0, req.target - used),
            }
    return rows


MATRIX_FIELDS = ("role", "self", "manager", "used", "target", "gap")


def test_the_json_matrix_has_one_row_per_member_and_skill(client, manager, rated_cycle):
    url = reverse("teams:cycle_matrix", args=[rated_cycle.team_id, rated_cycle.pk, "json"])

    response = login(client, manager).get(url)

    data = response.json()
    assert response.status_code == 200
    assert (data["team"], data["cycle"]) == ("Plateforme", "Revue 2025")
    got = {
        (row["member"], row["skill"]): {f: row[f] for f in MATRIX_FIELDS} for row in data["rows"]
    }
    assert len(got) == len(data["rows"]) == 6 + 3, "alice: 6 skills of AAA, bob: 3 of BBB"
    assert got == expected_matrix(rated_cycle)
    assert sum(1 for row in got.values() if row["manager"] is not None) == 2


def test_the_csv_matrix_matches_the_json(client, manager, rated_cycle):
    url = reverse("teams:cycle_matrix", args=[rated_cycle.team_id, rated_cycle.pk, "csv"])

    response = login(client, manager).get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert reader.fieldnames[:3] == ["member", "role", "skill"]
    got = {}
    for row in reader:
        got[(row["member"], row["skill"])] = {
            "role": row["role"],
            **{f: int(row[f]) if row[f] else None for f in MATRIX_FIELDS[1:]},
        }
    assert got == expected_matrix(rated_cycle)


def test_an_unknown_matrix_format_is_not_found(client, manager, cycle):
    url = reverse("teams:cycle_matrix", args=[cycle.team_id, cycle.pk, "xml"])

    assert login(client, manager).get(url).status_code == 404


# --- query counts --------------------------------------------------------------------


def add_submitted_members(team, cycles, role, manager, count):
    """`count` members with a submitted, partly rated assessment in each cycle."""
    users = [UserFactory() for _ in range(count)]
    TeamMembership.objects.bulk_create(
        TeamMembership(team=team, user=user, target_role=role) for user in users
    )
    ratings = []
    for cycle in cycles:
        for i, user in enumerate(users):
            assessment = submitted(
                assessment_start(owner=user, roles=[role]), level_for=lambda j, i=i: (i + j) % 5
            )
            assessment.cycle = cycle
            assessment.save(update_fields=["cycle"])
            skills = skills_in_order(assessment)[:3]
            ratings += [
                ManagerRating(assessment=assessment, skill_id=s["id"], level=2, rated_by=manager)
                for s in skills
            ]
    ManagerRating.objects.bulk_create(ratings)


def count_queries(client, url, cold=True):
    if cold:  # the board, the matrix and a closed cycle's figures are kept in the cache
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(("cycle", ()), id="dashboard"),
        pytest.param(("cycle_matrix", ("csv",)), id="csv"),
        pytest.param(("cycle_matrix", ("json",)), id="json"),
    ],
)
def test_team_pages_cost_the_same_for_5_and_50_members(client, manager, team, role, page):
    previous = cycle_open(team=team, name="Revue 2024", due_date=in_days(1))
    ReviewCycle.objects.filter(pk=previous.pk).update(
        opened_at=timezone.now() - timedelta(days=365), closed_at=timezone.now()
    )
    cycle = cycle_open(team=team, name="Revue 2025", due_date=in_days(30))
    invite(team, "invited@example.com")
    team.memberships.filter(kind=MEMBER).delete()
    add_submitted_members(team, [previous, cycle], role, manager, 5)
    name, extra = page
    url = reverse(f"teams:{name}", args=[team.pk, cycle.pk, *extra])
    login(client, manager).get(url)  # warm up: sessions, content types

    five = count_queries(client, url)
    five_kept = count_queries(client, url, cold=False)
    add_submitted_members(team, [previous, cycle], role, manager, 45)
    count_queries(client, url)  # the new members' board rows stored, as the first 5's were
    fifty = count_queries(client, url)
    fifty_kept = count_queries(client, url, cold=False)

    if name == "cycle":
        cache.clear()  # the board's figures are in the context only when it is computed
        response = client.get(url)
        assert response.context["previous"].pk == previous.pk
        assert response.context["board"].change, "the comparison with last cycle ran"
    assert fifty == five, f"{five} queries for 5 members, {fifty} for 50: a query per member"
    # Kept in the cache: session, user, the cycle (with the access check and the revision);
    # the members' plans under the board are kept under the same revision.
    # A matrix file is kept as a row of its own (teams.CycleExport): one query more.
    kept = 3 if name == "cycle" else 4
    assert fifty_kept == five_kept == kept, f"kept: {five_kept} queries for 5, {fifty_kept} for 50"


def test_the_shared_review_s_old_address_leads_to_it(client, manager, individual, result):
    login(client, manager).post(
        reverse("teams:review_share", args=[result.cycle.team_id, result.pk]), {"share": "1"}
    )

    old = login(client, individual).get(f"/assessments/{result.pk}/manager-review/")

    assert old.status_code == 301
    assert old["Location"] == reverse("teams:shared_review", args=[result.pk])
    assert client.get(old["Location"]).status_code == 200
