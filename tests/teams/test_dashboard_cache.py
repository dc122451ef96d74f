"""The team dashboard's board (members, heatmap, team figures) is kept rendered in the
cache, keyed on the team's revision (teams/revision.py): every change to the page's data
shows at once, and the kept board reaches no one who may not see the dashboard.

The team "Plateforme" (manager olivia) reviews alice, bob and carol, who submitted in
this cycle and in the previous one (still open), and dave, who has not started.
"""

import gzip
import pickle
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.services import AnswerInput, answers_save
from careers.interchange import catalogue_document, import_catalogue
from careers.models import Skill, SkillCategory
from teams.models import CycleExport, Invitation, ReviewCycle, TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    invitation_accept,
    invitation_create,
    membership_remove,
    ratings_save,
    review_share,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(individual, catalogue):
    aaa, bbb = catalogue
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    previous = cycle_open(team=team, name="Revue 2024", due_date=timezone.localdate())
    ReviewCycle.objects.filter(pk=previous.pk).update(
        opened_at=timezone.now() - timedelta(days=365)
    )
    previous.refresh_from_db()
    cycle = cycle_open(team=team, name="Revue 2025", due_date=timezone.localdate())
    memberships, results, earlier = {}, {}, {}
    for user in (individual, UserFactory(username="bob"), UserFactory(username="carol")):
        membership = TeamMembership.objects.create(team=team, user=user, target_role=aaa)
        memberships[user.username] = membership
        earlier[user.username] = submitted(
            cycle_assessment_start(cycle=previous, membership=membership)
        )
        results[user.username] = submitted(
            cycle_assessment_start(cycle=cycle, membership=membership)
        )
    dave = TeamMembership.objects.create(
        team=team, user=UserFactory(username="dave"), target_role=aaa
    )
    invitation = invitation_create(
        team=team, email="new@example.com", kind="member", invited_by=manager, link_for=str
    )
    return {
        "manager": manager,
        "team": team,
        "cycle": cycle,
        "memberships": memberships,
        "results": results,
        "earlier": earlier,
        "dave": dave,
        "invitation": invitation,
        "roles": {"AAA": aaa, "BBB": bbb},
    }


@pytest.fixture
def manager_client(client, world):
    client.force_login(world["manager"])
    return client


def visit(client, cycle):
    response = client.get(cycle.get_absolute_url())
    assert response.status_code == 200
    return response


def board(response) -> str:
    """The board as the page shows it (kept, and sent as kept, apart from the page)."""
    return response.text.split('<div class="team-board">', 1)[1].split(
        "</div><!-- /team-board -->", 1
    )[0]


def computed(response) -> bool:
    """Was the board worked out for this response (rather than read from the cache)?
    A page kept whole renders no template at all (no context)."""
    return response.context is not None and "members" in response.context


def kept_boards() -> int:
    return sum(1 for key in cache._cache if ":team-board:" in key)


def shown_after(client, cycle, change) -> tuple[str, str]:
    """The board served from the cache, then the board once `change()` is made.

    The board after is computed again, and is what a fresh rendering shows.
    """
    visit(client, cycle)
    warm = visit(client, cycle)
    assert not computed(warm), "the second visit is served from the cache"
    change()
    after = visit(client, cycle)
    assert computed(after), "the change reaches the page: the board is worked out again"
    cache.clear()
    assert board(visit(client, cycle)) == board(after)
    return board(warm), board(after)


def rate(assessment, manager, levels: dict[str, int | None]) -> None:
    ids = {code: skill["id"] for code, skill in assessment.snapshot["skills"].items()}
    values = {ids[code]: (level, "") for code, level in levels.items()}
    ratings_save(assessment=assessment, manager=manager, values=values)


def first_skill(assessment) -> str:
    skills = assessment.snapshot["skills"]
    return min(skills, key=lambda code: skills[code]["order"])


def columns(board: str) -> list[str]:
    """The heatmap's skill columns, in order."""
    return [part.split('"')[0] for part in board.split('class="skill-col"><span title="')[1:]]


def rated(board: str) -> list[int]:
    """The levels of the heatmap cells that hold the manager's level (`<td class=cLT>L*`)."""
    return [int(level) for level in re.findall(r"<td class=c(\d)\d>(?=\d\*)", board)]


# --- the kept board ------------------------------------------------------------------


def test_the_board_is_kept_once_and_served_as_rendered(manager_client, world):
    rendered = visit(manager_client, world["cycle"])
    served = visit(manager_client, world["cycle"])

    assert computed(rendered) and not computed(served)
    assert board(served) == board(rendered)
    assert '<section class="mb-4" aria-labelledby="status-title">' in board(served), "as HTML"
    assert "carol" in board(served)
    assert kept_boards() == 1


def test_another_manager_of_the_team_is_served_the_kept_board(client, manager_client, world):
    visit(manager_client, world["cycle"])
    second = UserFactory(username="paul")
    TeamMembership.objects.create(team=world["team"], user=second, kind="manager")
    visit(manager_client, world["cycle"])  # paul is no member: the board is unchanged
    other = Client()
    other.force_login(second)

    assert not computed(visit(other, world["cycle"]))


@pytest.mark.parametrize("who", ["member", "outsider", "other_manager"])
def test_a_kept_board_reaches_no_one_who_may_not_see_it(
    manager_client, world, individual, outsider, who
):
    visit(manager_client, world["cycle"])
    visit(manager_client, world["cycle"])
    assert kept_boards() == 1
    other_manager = UserFactory(username="oscar")
    team_create(manager=other_manager, name="Autre")
    people = {"member": individual, "outsider": outsider, "other_manager": other_manager}
    other = Client()
    other.force_login(people[who])

    assert other.get(world["cycle"].get_absolute_url()).status_code == 404
    url = reverse("teams:cycle_matrix", args=[world["team"].pk, world["cycle"].pk, "csv"])
    assert other.get(url).status_code == 404


def test_the_close_button_keeps_a_valid_token_under_a_kept_board(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world["manager"])
    visit(browser, world["cycle"])
    page = visit(browser, world["cycle"])
    assert not computed(page)
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    response = browser.post(
        reverse("teams:cycle_close", args=[world["team"].pk, world["cycle"].pk]),
        {"csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


def test_a_browser_gets_the_kept_board_compressed_as_it_was_kept(manager_client, world):
    plain = visit(manager_client, world["cycle"])
    url = world["cycle"].get_absolute_url()
    zipped = manager_client.get(url, headers={"accept-encoding": "gzip, deflate, br"})

    assert zipped["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    page = gzip.decompress(zipped.content).decode()
    assert board(plain) in page and "carol" in page
    # The page is kept whole (its board in it), as compressed pieces between its holes.
    kept = next(v for k, v in cache._cache.items() if ":team-page:" in k)
    for piece in pickle.loads(kept)[1][1].pieces:
        assert piece.deflated in zipped.content  # not compressed again
    assert len(zipped.content) * 3 < len(page)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_kept_matrix_files_are_sent_compressed_when_accepted(manager_client, world, fmt):
    url = reverse("teams:cycle_matrix", args=[world["team"].pk, world["cycle"].pk, fmt])
    plain = manager_client.get(url)
    zipped = manager_client.get(url, headers={"accept-encoding": "gzip"})

    assert zipped["Content-Encoding"] == "gzip" and zipped["Content-Disposition"].startswith(
        "attachment"
    )
    assert gzip.decompress(zipped.content) == plain.content
    assert "carol" in plain.content.decode()


def test_a_drafts_answers_do_not_drop_the_kept_board(manager_client, world):
    """The page shows a draft as "in progress", not how far it got."""
    draft = cycle_assessment_start(cycle=world["cycle"], membership=world["dave"])
    visit(manager_client, world["cycle"])
    skill = Skill.objects.first()

    answers_save(assessment=draft, values={skill.pk: AnswerInput(level=3, note="")})

    assert not computed(visit(manager_client, world["cycle"]))


# --- every change shows at once ------------------------------------------------------


def test_a_started_draft_shows_at_once(manager_client, world):
    def change():
        cycle_assessment_start(cycle=world["cycle"], membership=world["dave"])

    before, after = shown_after(manager_client, world["cycle"], change)

    assert "status-not_started" in before and "status-not_started" not in after
    assert "status-in_progress" in after


def test_a_submission_shows_at_once(manager_client, world):
    draft = cycle_assessment_start(cycle=world["cycle"], membership=world["dave"])

    before, after = shown_after(manager_client, world["cycle"], lambda: submitted(draft))

    assert "status-in_progress" in before and "status-in_progress" not in after
    assert after.count("status-submitted") == before.count("status-submitted") + 1
    assert "<th scope=row><bdi>dave</bdi>" in after, "dave has a row in the heatmap"


def test_a_new_rating_shows_at_once(manager_client, world):
    alice = world["results"]["alice"]

    before, after = shown_after(
        manager_client,
        world["cycle"],
        lambda: rate(alice, world["manager"], {first_skill(alice): 4}),
    )

    assert rated(before) == []
    assert rated(after) == [4]


def test_a_changed_rating_shows_at_once(manager_client, world):
    alice = world["results"]["alice"]
    code = first_skill(alice)
    rate(alice, world["manager"], {code: 4})

    before, after = shown_after(
        manager_client, world["cycle"], lambda: rate(alice, world["manager"], {code: 1})
    )

    assert rated(before) == [4]
    assert rated(after) == [1]


def test_two_ratings_swapped_in_one_save_show_at_once(manager_client, world):
    """As many ratings, the same sum of levels: their newest change time tells."""
    alice = world["results"]["alice"]
    skills = alice.snapshot["skills"]
    first, second = sorted(skills, key=lambda code: skills[code]["order"])[:2]
    rate(alice, world["manager"], {first: 4, second: 1})

    before, after = shown_after(
        manager_client,
        world["cycle"],
        lambda: rate(alice, world["manager"], {first: 1, second: 4}),
    )

    assert before != after


def test_a_removed_rating_shows_at_once(manager_client, world):
    alice = world["results"]["alice"]
    code = first_skill(alice)
    rate(alice, world["manager"], {code: 4})

    before, after = shown_after(
        manager_client, world["cycle"], lambda: rate(alice, world["manager"], {code: None})
    )

    assert rated(before) == [4] and rated(after) == []


def test_a_shared_review_shows_at_once(manager_client, world):
    before, after = shown_after(
        manager_client,
        world["cycle"],
        lambda: review_share(assessment=world["results"]["bob"], manager=world["manager"]),
    )

    assert "text-bg-light border" not in before
    assert "text-bg-light border" in after


def test_a_removed_member_leaves_the_board_at_once(manager_client, world):
    before, after = shown_after(
        manager_client,
        world["cycle"],
        lambda: membership_remove(membership=world["memberships"]["bob"]),
    )

    assert "bob" in before and "bob" not in after


def test_a_new_member_shows_at_once(manager_client, world):
    def change():  # the one way in: an invitation, accepted
        invitation = invitation_create(
            team=world["team"],
            email="erin@example.com",
            kind="member",
            invited_by=None,
            link_for=str,
        )
        invitation_accept(token=invitation.token, user=UserFactory(username="erin"))

    before, after = shown_after(manager_client, world["cycle"], change)

    assert "erin" not in before and "erin" in after


def test_a_new_target_role_shows_at_once(manager_client, world):
    bob = world["memberships"]["bob"]

    def change():
        manager_client.post(
            reverse("teams:member_target", args=[world["team"].pk, bob.pk]),
            {"role": world["roles"]["BBB"].pk},
        )

    before, after = shown_after(manager_client, world["cycle"], change)

    name = world["roles"]["BBB"].name
    shown = f'data-label="Rôle visé"><bdi>{name}</bdi><td'  # its name, not its code
    assert shown not in before
    assert shown in after


def test_a_new_username_shows_at_once(manager_client, world):
    def change():  # as Django's admin renames a person: the user saved, no service of ours
        bob = get_user_model().objects.get(username="bob")
        bob.username = "bob-martin"
        bob.save()

    before, after = shown_after(manager_client, world["cycle"], change)

    assert "bob-martin" not in before and "bob-martin" in after


def test_a_revoked_invitation_leaves_the_board_at_once(manager_client, world):
    def change():
        manager_client.post(
            reverse("teams:invitation_revoke", args=[world["team"].pk, world["invitation"].pk])
        )

    before, after = shown_after(manager_client, world["cycle"], change)

    assert "new@example.com" in before and "new@example.com" not in after


def test_an_expired_invitation_leaves_the_board_when_it_expires(manager_client, world, monkeypatch):
    """Nothing is written when a link expires: the kept board holds until the first expiry."""
    soon = timezone.now() + timedelta(minutes=1)
    Invitation.objects.filter(pk=world["invitation"].pk).update(expires_at=soon)
    later = soon + timedelta(minutes=1)

    before, after = shown_after(
        manager_client, world["cycle"], lambda: monkeypatch.setattr(timezone, "now", lambda: later)
    )

    assert "new@example.com" in before and "new@example.com" not in after


def test_a_change_in_the_previous_cycle_shows_in_the_comparison(manager_client, world):
    def change():
        for earlier in world["earlier"].values():
            rate(earlier, world["manager"], dict.fromkeys(earlier.snapshot["levels"], 0))

    before, after = shown_after(manager_client, world["cycle"], change)

    assert "Revue 2024" in before
    assert before != after


def test_closing_the_cycle_shows_at_once(manager_client, world):
    cycle = world["cycle"]
    close = reverse("teams:cycle_close", args=[cycle.team_id, cycle.pk])
    visit(manager_client, cycle)
    assert close in visit(manager_client, cycle).text

    manager_client.post(close)
    page = visit(manager_client, cycle)

    assert computed(page), "the cycle's own fields are part of the key"
    assert close not in page.text


def test_reordered_skills_reorder_the_columns_at_once(manager_client, world):
    def change():  # as the admin's list of categories does: one save per row
        first, second = SkillCategory.objects.order_by("order")
        first.order, second.order = second.order, first.order
        first.save()
        second.save()

    before, after = shown_after(manager_client, world["cycle"], change)

    assert len(columns(before)) == 6
    assert columns(after) == columns(before)[3:] + columns(before)[:3]


def test_a_catalogue_import_that_reorders_shows_at_once(manager_client, world):
    document = catalogue_document()
    document["categories"].reverse()  # a document lists categories in their order

    before, after = shown_after(
        manager_client,
        world["cycle"],
        lambda: import_catalogue(document=document, dry_run=False),
    )

    assert columns(after) == columns(before)[3:] + columns(before)[:3]


def test_a_renamed_skill_is_seen_and_the_frozen_name_kept(manager_client, world):
    """A submitted result keeps the names it was given: the board is worked out again
    (the catalogue is part of the key) and still shows the frozen name."""
    skill = Skill.objects.get(code=first_skill(world["results"]["alice"]))
    frozen = skill.name_fr

    def change():
        skill.name_fr = "Nouveau nom"
        skill.save()

    before, after = shown_after(manager_client, world["cycle"], change)

    assert frozen in after and "Nouveau nom" not in after


def test_each_language_has_its_board(manager_client, world):
    cycle = world["cycle"]
    visit(manager_client, cycle)
    french = visit(manager_client, cycle)

    manager_client.post(reverse("set_language"), {"language": "en"})
    english = visit(manager_client, cycle)

    assert computed(english)
    assert "Skills heatmap" in board(english)
    assert "Skills heatmap" not in board(french)
    assert kept_boards() == 2
    manager_client.post(reverse("set_language"), {"language": "fr"})
    again = visit(manager_client, cycle)
    assert not computed(again)
    assert board(again) == board(french)


# --- the matrix exports share the fingerprint ----------------------------------------


def test_the_matrix_shows_a_new_rating_at_once(manager_client, world):
    alice = world["results"]["alice"]
    code = first_skill(alice)
    url = reverse("teams:cycle_matrix", args=[world["team"].pk, world["cycle"].pk, "json"])
    manager_client.get(url)

    def alices(response):
        rows = response.json()["rows"]
        return next(r for r in rows if r["member"] == "alice" and r["skill"] == code)

    assert alices(manager_client.get(url))["manager"] is None

    rate(alice, world["manager"], {code: 4})

    assert alices(manager_client.get(url))["manager"] == 4


def test_the_matrix_files_are_kept_and_show_a_new_team_name_at_once(manager_client, world):
    team, cycle = world["team"], world["cycle"]
    url = reverse("teams:cycle_matrix", args=[team.pk, cycle.pk, "json"])
    first = manager_client.get(url)
    assert manager_client.get(url).content == first.content
    assert CycleExport.objects.filter(cycle=cycle, format="json").count() == 1

    team.name = "Plateforme Data"
    team.save()

    assert manager_client.get(url).json()["team"] == "Plateforme Data"


def test_a_closed_cycle_offers_no_rating_and_shows_its_reviews_read_only(manager_client, world):
    """Closing bumps the revision: the kept board follows at once, and every review of
    the cycle opens read-only, with a banner at the top and no save button."""
    open_board = board(visit(manager_client, world["cycle"]))
    assert "Évaluer" in open_board

    manager_client.post(reverse("teams:cycle_close", args=[world["team"].pk, world["cycle"].pk]))
    closed_board = board(visit(manager_client, world["cycle"]))
    review = manager_client.get(
        reverse("teams:review", args=[world["team"].pk, world["results"]["bob"].pk])
    ).text

    assert "Évaluer" not in closed_board and "Voir la revue" in closed_board
    assert "Ce cycle est clos." in review
    assert review.index("Ce cycle est clos.") < review.index("review-table")
    assert '<fieldset class="review-fields" disabled>' in review
    assert "Enregistrer les évaluations" not in review


def test_an_open_cycle_s_review_is_editable(manager_client, world):
    review = manager_client.get(
        reverse("teams:review", args=[world["team"].pk, world["results"]["bob"].pk])
    ).text
    assert '<fieldset class="review-fields">' in review and "Ce cycle est clos." not in review
    assert "<textarea name=" in review and 'rows="3"' in review


def test_heatmap_rows_name_the_role_they_are_scored_against(manager_client, world):
    shown = board(visit(manager_client, world["cycle"]))
    heatmap = shown.split('class="table table-sm heatmap', 1)[1]
    name = world["roles"]["AAA"].name
    assert f"<small><bdi>{name}</bdi></small>" in heatmap
    assert ">AAA<" not in heatmap
