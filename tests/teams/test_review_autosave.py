"""The review page's rows saved one at a time (teams:review_rating), as the
questionnaire's answers are: the same form, service and version check as the page's
Save button, the same people allowed, and the server's own "Saved"."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from careers.models import Level
from teams.models import ManagerRating, Team, TeamMembership
from teams.services import (
    cycle_close,
    ratings_save,
)
from tests.teams.helpers import review_form, two_managers_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(catalogue):
    """Carol's submitted assessment; olivia and sam manage her team, oscar another."""
    team, cycle, assessment, olivia, sam, carol, oscar = two_managers_review(
        catalogue, "carol", timezone.localdate()
    )
    skills = sorted(assessment.snapshot["skills"].values(), key=lambda s: s["order"])
    return {
        "team": team,
        "cycle": cycle,
        "assessment": assessment,
        "olivia": olivia,
        "sam": sam,
        "carol": carol,
        "oscar": oscar,
        "skill": skills[0]["id"],
        "other_skill": skills[1]["id"],
    }


def url(r, skill=None):
    args = [r["team"].pk, r["assessment"].pk, skill or r["skill"]]
    return reverse("teams:review_rating", args=args)


def page_url(r):
    return reverse("teams:review", args=[r["team"].pk, r["assessment"].pk])


def row(skill, level, comment="", read=""):
    """One row as the page's htmx posts it (hx-params: level, comment, read)."""
    return {f"r{skill}-level": level, f"r{skill}-comment": comment, f"r{skill}-read": read}


def posted(client, user, r, data, skill=None):
    client.force_login(user)
    return client.post(url(r, skill), data, HTTP_HX_REQUEST="true")


def read_version(html: str, skill: int) -> str:
    found = re.search(rf'name="r{skill}-read" id="id_r{skill}-read" value="([^"]*)"', html)
    assert found, html
    return found.group(1)


def test_a_row_is_saved_through_the_service_and_says_saved(client, review):
    r = review
    revision = Team.objects.get(pk=r["team"].pk).revision

    response = posted(client, r["olivia"], r, row(r["skill"], "2", "Solide"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "✓ Enregistré" in html
    rating = ManagerRating.objects.get(assessment=r["assessment"], skill_id=r["skill"])
    assert (rating.level, rating.comment, rating.rated_by) == (2, "Solide", r["olivia"])
    assert rating.revision == 1
    # The row's next save carries the version just written (an out-of-band swap).
    assert read_version(html, r["skill"]) == rating.version
    assert 'hx-swap-oob="true"' in html
    assert Team.objects.get(pk=r["team"].pk).revision > revision  # the board follows

    again = posted(client, r["olivia"], r, row(r["skill"], "3", "Solide", rating.version))

    assert again.status_code == 200
    rating.refresh_from_db()
    assert (rating.level, rating.revision) == (3, 2)
    assert read_version(again.content.decode(), r["skill"]) == rating.version == f"{rating.pk}.2"


def test_the_comment_alone_and_clearing_the_rating(client, review):
    r = review
    first = posted(client, r["olivia"], r, row(r["skill"], "2"))
    version = read_version(first.content.decode(), r["skill"])

    commented = posted(client, r["olivia"], r, row(r["skill"], "2", "Parlons-en", version))
    version = read_version(commented.content.decode(), r["skill"])
    cleared = posted(client, r["olivia"], r, row(r["skill"], "none", "", version))

    assert commented.status_code == cleared.status_code == 200
    assert not ManagerRating.objects.filter(skill_id=r["skill"]).exists()
    assert read_version(cleared.content.decode(), r["skill"]) == ""


def test_the_same_row_saved_twice_is_saved_not_a_conflict(client, review):
    """A retry after a lost answer: what is stored already is no change."""
    r = review
    posted(client, r["olivia"], r, row(r["skill"], "2", "Solide"))

    retry = posted(client, r["olivia"], r, row(r["skill"], "2", "Solide", ""))

    assert retry.status_code == 200
    assert ManagerRating.objects.get(skill_id=r["skill"]).revision == 1


def test_a_stale_tab_is_refused_with_the_conflict_message(client, review):
    """Sam's tab read the row before olivia rated it: his change is not written over
    hers; he is shown hers, and his row now carries its version (saving again replaces
    it, knowingly, as the page's Save does after a conflict)."""
    r = review
    client.force_login(r["sam"])
    stale = review_form(client.get(page_url(r)).content.decode())
    assert stale[f"r{r['skill']}-read"] == ""
    ratings_save(
        assessment=r["assessment"],
        manager=r["olivia"],
        values={r["skill"]: (4, "Référente")},
        read={r["skill"]: ""},
    )
    rating = ManagerRating.objects.get(skill_id=r["skill"])

    response = posted(client, r["sam"], r, row(r["skill"], "1", "Débutante", ""))

    assert response.status_code == 409
    html = response.content.decode()
    assert "Modifiée par un autre manager depuis que vous avez ouvert la page" in html
    assert "4 · Expert" in html and "Référente" in html
    assert "Enregistré<" not in html
    rating.refresh_from_db()
    assert (rating.level, rating.comment, rating.revision) == (4, "Référente", 1)
    assert read_version(html, r["skill"]) == rating.version

    knowingly = posted(client, r["sam"], r, row(r["skill"], "1", "Débutante", rating.version))

    assert knowingly.status_code == 200
    rating.refresh_from_db()
    assert (rating.level, rating.rated_by) == (1, r["sam"])


def test_a_stale_whole_page_save_after_an_autosave_is_refused(client, review):
    """The page's Save button after another manager's autosave: the conflict message,
    nothing written over the autosaved rating."""
    r = review
    client.force_login(r["sam"])
    stale = review_form(client.get(page_url(r)).content.decode())
    posted(client, r["olivia"], r, row(r["skill"], "4", "Référente"))
    stale[f"r{r['skill']}-level"] = "1"

    client.force_login(r["sam"])
    response = client.post(page_url(r), stale)

    assert response.status_code == 409
    assert "Modifiée par un autre manager" in response.content.decode()
    assert ManagerRating.objects.get(skill_id=r["skill"]).level == 4


def test_the_whole_page_save_after_autosaves_says_saved(client, review):
    """With JavaScript the rows are saved already when Save is pressed: it says so."""
    r = review
    client.force_login(r["olivia"])
    page = review_form(client.get(page_url(r)).content.decode())
    saved = posted(client, r["olivia"], r, row(r["skill"], "2", ""))
    page[f"r{r['skill']}-level"] = "2"
    page[f"r{r['skill']}-read"] = read_version(saved.content.decode(), r["skill"])

    response = client.post(page_url(r), page, follow=True)

    assert "Évaluations enregistrées." in response.content.decode()
    assert ManagerRating.objects.get(skill_id=r["skill"]).revision == 1


def test_a_row_without_its_level_keeps_the_stored_one(client, review):
    r = review
    first = posted(client, r["olivia"], r, row(r["skill"], "3"))
    version = read_version(first.content.decode(), r["skill"])

    data = {f"r{r['skill']}-comment": "Seul le commentaire", f"r{r['skill']}-read": version}
    response = posted(client, r["olivia"], r, data)

    assert response.status_code == 200
    rating = ManagerRating.objects.get(skill_id=r["skill"])
    assert (rating.level, rating.comment) == (3, "Seul le commentaire")


def test_a_closed_cycle_refuses_the_row(client, review):
    r = review
    cycle_close(cycle=r["cycle"])

    response = posted(client, r["olivia"], r, row(r["skill"], "2"))

    assert response.status_code == 409
    assert "Ce cycle de revue est clos : les évaluations sont figées." in response.content.decode()
    assert not ManagerRating.objects.exists()


def test_an_invalid_level_is_refused_with_its_message(client, review):
    r = review
    response = posted(client, r["olivia"], r, row(r["skill"], "9"))

    assert response.status_code == 400
    assert "text-danger" in response.content.decode()
    assert not ManagerRating.objects.exists()


def test_a_comment_without_a_level_is_refused_not_dropped(client, review):
    """A comment is part of a rating: without a level there is none to hold it, and the
    page must not say "Saved" of a comment the database does not hold."""
    r = review
    response = posted(client, r["olivia"], r, row(r["skill"], "none", "Parlons-en"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Un commentaire est enregistré avec un niveau : choisissez-en un." in html
    assert "Enregistré<" not in html
    assert not ManagerRating.objects.exists()


def test_a_skill_outside_the_assessment_is_not_found(client, review):
    r = review
    response = posted(client, r["olivia"], r, row(999999, "2"), skill=999999)

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "the member", "another team's manager"])
def test_who_may_not_save_a_row(client, review, who):
    r = review
    user = {"the member": r["carol"].user, "another team's manager": r["oscar"]}.get(who)
    if user is not None:
        client.force_login(user)

    response = client.post(url(r), row(r["skill"], "2"))

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 404
    assert not ManagerRating.objects.exists()


def test_another_teams_manager_through_their_own_team_is_not_found(client, review):
    r = review
    other = Team.objects.get(name="Autre")
    client.force_login(r["oscar"])

    response = client.post(
        reverse("teams:review_rating", args=[other.pk, r["assessment"].pk, r["skill"]]),
        row(r["skill"], "2"),
    )

    assert response.status_code == 404
    assert not ManagerRating.objects.exists()


@pytest.mark.parametrize("change", ["removed", "demoted"])
def test_a_manager_removed_or_demoted_after_opening_the_page(client, review, change):
    r = review
    client.force_login(r["olivia"])
    assert client.get(page_url(r)).status_code == 200
    own = TeamMembership.objects.filter(team=r["team"], user=r["olivia"])
    if change == "removed":
        own.delete()
    else:
        own.update(kind=TeamMembership.Kind.MEMBER)

    response = posted(client, r["olivia"], r, row(r["skill"], "2"))

    assert response.status_code == 404
    assert not ManagerRating.objects.exists()


def test_a_row_costs_a_few_queries_whatever_the_size(client, review, django_assert_max_num_queries):
    r = review
    client.force_login(r["olivia"])
    ratings_save(
        assessment=r["assessment"],
        manager=r["olivia"],
        values={r["other_skill"]: (1, "")},
    )
    version = ManagerRating.objects.get(skill_id=r["other_skill"]).version

    # Session, user, the page's access check (team, assessment); the service's savepoint,
    # locks and checks (assessment, cycle, team, memberships), the rating read and
    # written, the team's revision; whether the review is shared (the skills inventory
    # follows shared ratings only); the version sent back. None per skill of the review.
    with django_assert_max_num_queries(15):
        first = client.post(url(r), row(r["skill"], "2"))
    with django_assert_max_num_queries(15):
        update = client.post(url(r, r["other_skill"]), row(r["other_skill"], "3", "", version))

    assert first.status_code == update.status_code == 200


def test_the_page_shows_number_and_label_in_both_columns(client, review):
    r = review
    ratings_save(assessment=r["assessment"], manager=r["olivia"], values={r["skill"]: (2, "")})
    client.force_login(r["olivia"])

    html = client.get(page_url(r)).content.decode()

    own = r["assessment"].snapshot["levels"]
    for level in set(own.values()):
        assert f'<span class="review-level">{level} · {Level(level).label}</span>' in html
    assert "2 · Pratique" in html  # the French label
    for level, label in Level.choices:
        assert f">{level} · {label}</option>" in html
    assert '<option value="2" selected>2 · Pratique</option>' in html
    assert 'rows="3"' in html
    # Each row autosaves to its own URL; the bar holds Save and Share.
    assert f'hx-post="{url(r)}"' in html
    assert 'form="review-share"' in html
    assert "Enregistrer les évaluations" in html


def test_the_page_in_english(client, review):
    r = review
    client.force_login(r["olivia"])
    client.cookies["django_language"] = "en"

    html = client.get(page_url(r), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ">2 · Working</option>" in html
    assert "Each change is saved as soon as you make it." in html


def test_a_closed_cycle_shows_a_read_only_review(client, review):
    r = review
    cycle_close(cycle=r["cycle"])
    client.force_login(r["olivia"])

    html = client.get(page_url(r)).content.decode()

    assert "closed-banner" in html
    assert html.index("closed-banner") < html.index("review-table")
    assert "hx-post" not in html and "data-autosave" not in html
    assert "data-unsaved-warning" not in html
    assert "Enregistrer les évaluations" not in html
    assert re.search(r'<fieldset class="review-fields" disabled>', html)
    assert "Partager la revue avec le membre" in html  # a finished review may be shared
