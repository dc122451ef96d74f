"""The what-if simulator and the path to a role: who sees them, what they show, and
that nothing is ever written."""

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Answer, Assessment
from assessments.results import scores_for
from assessments.services import assessment_start
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.conftest import build_catalogue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(individual, catalogue):
    # levels cycle 0, 1, 2, 3, 4, 0 over AAA's six skills; BBB needs the 1st, 3rd and 5th
    return submitted(assessment_start(owner=individual, roles=catalogue))


def codes(result):
    """The result's skill codes in catalogue order."""
    skills = result.snapshot["skills"]
    return sorted(skills, key=lambda code: skills[code]["order"])


def simulate_url(result, **params):
    return reverse("assessments:simulate", args=[result.pk]), params


def state(assessment):
    """What simulating must leave alone: the result row, its answers, its snapshot."""
    fresh = Assessment.objects.get(pk=assessment.pk)
    answers = list(
        Answer.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("skill_id", "level", "note", "updated_at")
    )
    return (
        fresh.snapshot,
        fresh.status,
        fresh.submitted_at,
        fresh.updated_at,
        answers,
        Assessment.objects.count(),
        Answer.objects.count(),
    )


@pytest.fixture
def cycle_result(individual, catalogue):
    """Alice's result in a review cycle where Manon gave her the target role BBB."""
    manager = UserFactory(username="manon")
    team = team_create(manager=manager, name="Plateforme")
    membership = TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[1])
    cycle = cycle_open(team=team, name="Revue", due_date="2030-01-01")
    assessment = submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    return assessment, manager


# --- who may see them -----------------------------------------------------------------


def page_urls(result):
    return [
        reverse("assessments:simulate", args=[result.pk]),
        reverse("assessments:path", args=[result.pk, "BBB"]),
    ]


@pytest.mark.parametrize("index", [0, 1])
def test_the_owner_sees_them(client, individual, result, index):
    client.force_login(individual)

    assert client.get(page_urls(result)[index]).status_code == 200


@pytest.mark.parametrize("index", [0, 1])
def test_another_person_gets_404(client, outsider, result, index):
    client.force_login(outsider)

    assert client.get(page_urls(result)[index]).status_code == 404


@pytest.mark.parametrize("index", [0, 1])
def test_a_visitor_is_sent_to_log_in(client, result, index):
    url = page_urls(result)[index]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("index", [0, 1])
def test_a_draft_has_no_simulator_nor_path(client, individual, catalogue, index):
    draft = assessment_start(owner=individual, roles=catalogue)
    client.force_login(individual)

    assert client.get(page_urls(draft)[index]).status_code == 404


@pytest.mark.parametrize("index", [0, 1])
def test_the_manager_of_the_cycle_sees_them_another_manager_does_not(
    client, cycle_result, outsider, index
):
    assessment, manager = cycle_result
    other_team = team_create(manager=outsider, name="Autre")
    cycle_open(team=other_team, name="Revue", due_date="2030-01-01")

    client.force_login(manager)
    assert client.get(page_urls(assessment)[index]).status_code == 200
    client.force_login(outsider)
    assert client.get(page_urls(assessment)[index]).status_code == 404


def test_the_result_page_links_to_both(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:detail", args=[result.pk]))

    assert reverse("assessments:simulate", args=[result.pk]) in response.text
    assert reverse("assessments:path", args=[result.pk, "AAA"]) in response.text


# --- the simulator --------------------------------------------------------------------


def selected(response, code):
    select = re.search(rf'<select[^>]*name="s-{code}".*?</select>', response.text, re.S).group(0)
    return int(re.search(r'<option value="(\d)" selected', select).group(1))


def test_the_form_starts_from_the_saved_levels(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:simulate", args=[result.pk]))

    assert [selected(response, code) for code in codes(result)] == [0, 1, 2, 3, 4, 0]
    simulation = response.context["simulation"]
    assert [(r.code, r.fit) for r in simulation.roles] == [
        (s.code, s.fit) for s in scores_for(result)
    ]
    assert simulation.changed == []
    assert 'hx-get="' in response.text and 'hx-trigger="change, submit"' in response.text
    assert 'hx-push-url="true"' in response.text
    assert "<script>" not in response.text  # the CSP allows no inline script


def test_levels_from_the_query_are_simulated_and_marked(client, individual, result):
    # AAA: weights 1-5,1 and targets 1,2,3,4,1,2 over levels 0,1,2,3,4,0:
    # (0 + 2 + 6 + 12 + 5 + 0) / (1 + 4 + 9 + 16 + 5 + 2) = 25/37 = 67.6;
    # raising the 4th skill (weight 4, target 4) from 3 to 4: 29/37 = 78.4
    client.force_login(individual)
    fourth = codes(result)[3]

    response = client.get(reverse("assessments:simulate", args=[result.pk]), {f"s-{fourth}": "4"})

    simulation = response.context["simulation"]
    aaa = next(r for r in simulation.roles if r.code == "AAA")
    assert (aaa.saved_fit, aaa.fit, aaa.delta) == (67.6, 78.4, 10.8)
    assert selected(response, fourth) == 4
    assert f'id="mark-{fourth}" class="sim-mark is-changed"' in response.text
    assert "+10,8" in response.text
    assert "67,6 %" in response.text and "78,4 %" in response.text


def test_the_levels_come_first_and_the_status_follows_the_chosen_role(client, individual, result):
    """On a phone the columns stack: the level menus come before the figures, and the
    status line in the sticky bar under them carries the chosen role's fit, saved and
    simulated (67.6 -> 78.4, hand-computed above), so a change needs no scrolling."""
    client.force_login(individual)
    fourth = codes(result)[3]
    url = reverse("assessments:simulate", args=[result.pk])

    html = client.get(url, {f"s-{fourth}": "4", "role": "AAA"}).text

    assert html.index('id="sim-form"') < html.index('id="simulation"')
    status = re.search(r'id="sim-status"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "1 niveau modifié" in status and "67,6 % → 78,4 %" in status
    assert 'class="btn btn-primary btn-sm sim-update"' in html  # the no-script button stays


def test_suggestions_are_for_the_chosen_role_with_apply_links(client, individual, result):
    client.force_login(individual)
    url = reverse("assessments:simulate", args=[result.pk])

    response = client.get(url, {"role": "BBB"})

    simulation = response.context["simulation"]
    assert simulation.role == "BBB"
    assert 1 <= len(simulation.suggestions) <= 3
    first = simulation.suggestions[0]
    apply = f"{url}?{first.query}".replace("&", "&amp;")
    assert f'href="{apply}"' in response.text
    # following the link raises that skill by one, on top of the simulation
    applied = client.get(f"{url}?{first.query}").context["simulation"]
    assert next(s for s in applied.skills if s.code == first.code).level == first.level_to
    assert applied.role == "BBB"


def test_the_default_role_is_the_best_fit_or_the_team_target(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:simulate", args=[result.pk]))

    assert response.context["simulation"].role == scores_for(result)[0].code


def test_the_default_role_of_a_cycle_result_is_the_team_target(client, individual, cycle_result):
    assessment, _manager = cycle_result
    client.force_login(individual)

    response = client.get(reverse("assessments:simulate", args=[assessment.pk]))

    assert response.context["simulation"].role == "BBB"


def test_htmx_gets_the_panel_only_and_a_short_url_to_push(client, individual, result):
    client.force_login(individual)
    url = reverse("assessments:simulate", args=[result.pk])
    first = codes(result)[0]
    form = {f"s-{code}": str(level) for code, level in result.snapshot["levels"].items()}
    form[f"s-{first}"] = "3"  # 0 -> 3
    form["role"] = scores_for(result)[0].code  # the default: left out of the URL

    response = client.get(url, form, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text and "sim-form" not in response.text
    assert "Chaque rôle avec ces niveaux" in response.text
    assert response["HX-Push-Url"] == f"{url}?s-{first}=3"
    assert "HX-Request" in response["Vary"]
    # the changed marks beside the selects and the status line are swapped out of band
    assert f'id="mark-{first}" class="sim-mark is-changed" hx-swap-oob="true"' in response.text
    assert 'id="sim-status" hx-swap-oob="innerHTML"' in response.text


def test_htmx_without_changes_pushes_the_bare_url(client, individual, result):
    client.force_login(individual)
    url = reverse("assessments:simulate", args=[result.pk])

    response = client.get(url, headers={"HX-Request": "true"})

    assert response["HX-Push-Url"] == url


def test_a_history_restore_gets_the_whole_page(client, individual, result):
    client.force_login(individual)

    response = client.get(
        reverse("assessments:simulate", args=[result.pk]),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.text and "HX-Push-Url" not in response


def test_unreadable_levels_keep_the_answer_and_say_so(client, individual, result):
    client.force_login(individual)
    first, second = codes(result)[:2]

    response = client.get(
        reverse("assessments:simulate", args=[result.pk]),
        {f"s-{first}": "7", f"s-{second}": "beaucoup", "s-no-such-skill": "4", "role": "NOPE"},
    )

    assert response.status_code == 200
    assert [selected(response, code) for code in codes(result)] == [0, 1, 2, 3, 4, 0]
    assert "alert-warning" in response.text
    names = [result.snapshot["skills"][code]["name"]["fr"] for code in (first, second)]
    assert ", ".join(f"<bdi>{name}</bdi>" for name in names) in response.text
    assert response.context["simulation"].role == scores_for(result)[0].code


def test_reset_goes_back_to_the_saved_levels(client, individual, result):
    client.force_login(individual)
    url = reverse("assessments:simulate", args=[result.pk])

    response = client.get(url, {f"s-{codes(result)[0]}": "4", "role": "BBB"})

    assert f'href="{url}?role=BBB"' in response.text
    assert response.context["simulation"].reset_query == "role=BBB"


def test_simulating_writes_nothing(client, individual, result):
    client.force_login(individual)
    url = reverse("assessments:simulate", args=[result.pk])
    before = state(result)
    params = {f"s-{code}": "4" for code in codes(result)}

    with CaptureQueriesContext(connection) as queries:
        client.get(url, {**params, "role": "BBB"})
        client.get(url, {**params, "role": "BBB"}, headers={"HX-Request": "true"})
        client.get(reverse("assessments:path", args=[result.pk, "BBB"]))

    assert state(result) == before
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)


@pytest.mark.parametrize(("categories", "per_category"), [(2, 3), (8, 12)])
def test_query_count_does_not_grow_with_the_catalogue(
    client, individual, django_assert_num_queries, categories, per_category
):
    roles = build_catalogue(categories=categories, skills_per_category=per_category)
    assessment = submitted(assessment_start(owner=individual, roles=roles))
    client.force_login(individual)
    everything = {f"s-{code}": "4" for code in assessment.snapshot["skills"]}

    # session, user, assessment with its snapshot: the catalogue is not read
    with django_assert_num_queries(3):
        client.get(reverse("assessments:simulate", args=[assessment.pk]), everything)
    with django_assert_num_queries(3):
        client.get(
            reverse("assessments:simulate", args=[assessment.pk]),
            everything,
            headers={"HX-Request": "true"},
        )
    # the owner's path also reads which next steps are in their plan
    with django_assert_num_queries(4):
        client.get(reverse("assessments:path", args=[assessment.pk, "AAA"]))


def test_a_cycle_result_costs_one_more_query_for_the_team_target(
    client, individual, cycle_result, django_assert_num_queries
):
    assessment, _manager = cycle_result
    client.force_login(individual)

    with django_assert_num_queries(4):
        client.get(reverse("assessments:simulate", args=[assessment.pk]))


# --- the path to a role ---------------------------------------------------------------


def test_path_lists_the_gaps_in_priority_order_with_the_total(client, individual, result):
    # BBB needs the 1st, 3rd and 5th skills, weights 5, 3, 1 and targets 4, 2, 4, where
    # alice stands at 0, 2 and 4: only the 1st is a gap, 4 levels * weight 5 = 20 points;
    # fit (0 + 6 + 4) / (20 + 6 + 4) = 10/30 = 33.3
    client.force_login(individual)

    response = client.get(reverse("assessments:path", args=[result.pk, "BBB"]))

    path = response.context["path"]
    first = codes(result)[0]
    assert (path.fit, path.points) == (33.3, 20)
    assert [(s.code, s.level, s.target, s.priority, s.points_left) for s in path.steps] == [
        (first, 0, 4, 20, 0)
    ]
    assert "33,3 %" in response.text
    assert f"Formation {first} niveau 1" in response.text  # the next step, from level 0


def test_path_orders_by_priority_then_weight(client, individual, result):
    # AAA over levels 0, 1, 2, 3, 4, 0 with weights 1, 2, 3, 4, 5, 1 and targets
    # 1, 2, 3, 4, 1, 2: gaps 1 (p 1), 1 (p 2), 1 (p 3), 1 (p 4), none, 2 (p 2, weight 1):
    # by priority 4, 3, then the two 2s, the heavier (weight 2) first, then 1; total 12
    client.force_login(individual)
    c = codes(result)

    path = client.get(reverse("assessments:path", args=[result.pk, "AAA"])).context["path"]

    assert [(s.code, s.priority) for s in path.steps] == [
        (c[3], 4),
        (c[2], 3),
        (c[1], 2),
        (c[5], 2),
        (c[0], 1),
    ]
    assert path.points == 12
    assert [s.points_left for s in path.steps] == [8, 5, 3, 1, 0]


def test_path_in_english(client, individual, result):
    client.force_login(individual)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("assessments:path", args=[result.pk, "BBB"]))

    first = codes(result)[0]
    assert f"Training {first} level 1" in response.text
    assert "Weighted gap points to close" in response.text


def test_path_to_a_role_outside_the_result_is_not_found(client, individual, result):
    client.force_login(individual)

    assert client.get(reverse("assessments:path", args=[result.pk, "NOPE"])).status_code == 404


def test_the_role_picker_goes_to_the_chosen_path(client, individual, result):
    client.force_login(individual)
    url = reverse("assessments:path", args=[result.pk, "AAA"])

    response = client.get(url, {"to": "BBB"})

    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:path", args=[result.pk, "BBB"])
    assert client.get(url, {"to": "NOPE"}).status_code == 200  # an odd choice is ignored


def test_path_links_to_the_simulator_with_the_targets_reached(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:path", args=[result.pk, "BBB"]))

    link = re.search(r'href="([^"]*/simulate/\?[^"]*)"', response.text).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query == {f"s-{codes(result)[0]}": ["4"], "role": ["BBB"]}


# --- odd input ------------------------------------------------------------------------

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = [
    "",
    " ",
    "-1",
    "5",
    "42",
    "1.5",
    "1e3",
    "NaN",
    "²",
    "١",
    " 3 ",
    "0x2",
    "9" * 5000,
    "\x00",
    "<script>alert(1)</script>",
    "😀" * 50,
    "[]",
    "null",
    "\u202e4",
]
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
values = st.one_of(
    st.sampled_from(["0", "1", "2", "3", "4"]),
    st.integers(-3, 8).map(str),
    st.sampled_from(NASTY),
    any_text,
)


def expected_level(value, saved):
    value = value[-1] if isinstance(value, list) else value
    return int(value.strip()) if value.strip() in {"0", "1", "2", "3", "4"} else saved


def keys(result):
    skill_keys = [f"s-{code}" for code in codes(result)]
    return st.one_of(
        st.sampled_from([*skill_keys, "role", "s-no-such-skill", "s-", "to"]), any_text
    )


@FUZZ
@given(st.data())
def test_the_simulator_takes_any_query_without_failing_or_writing(
    individual, outsider, result, data
):
    """Each example: a query of known and unknown fields, each once or repeated."""
    query = data.draw(
        st.dictionaries(
            keys(result),
            st.one_of(values, st.lists(values, min_size=2, max_size=3)),
            max_size=8,
        )
    )
    htmx = data.draw(st.booleans())
    who = data.draw(st.sampled_from([individual, individual, outsider]))
    client = Client()
    client.force_login(who)
    before = state(result)

    response = client.get(
        reverse("assessments:simulate", args=[result.pk]),
        query,
        headers={"HX-Request": "true"} if htmx else {},
    )

    assert state(result) == before
    sent = [[key, *(value if isinstance(value, list) else [value])] for key, value in query.items()]
    if any("\x00" in text for texts in sent for text in texts):
        assert response.status_code == 400  # refused before any view (config/middleware.py)
        return
    if who == outsider:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    simulation = response.context["simulation"]
    saved = result.snapshot["levels"]
    assert {s.code: s.level for s in simulation.skills} == {
        code: expected_level(query[f"s-{code}"], level) if f"s-{code}" in query else level
        for code, level in saved.items()
    }
    rejected = [s for s in simulation.skills if s.rejected]
    assert ("alert-warning" in response.text) == bool(rejected)
    assert simulation.role in ("AAA", "BBB")


@FUZZ
@given(code=st.one_of(st.sampled_from(["AAA", "BBB", "aaa", "NOPE"]), any_text), to=values)
def test_the_path_takes_any_role_without_failing(individual, result, code, to):
    client = Client()
    client.force_login(individual)
    before = state(result)

    response = client.get(f"/assessments/{result.pk}/path/{quote(code, safe='')}/", {"to": to})

    assert state(result) == before
    if "\x00" in code + to:
        assert response.status_code == 400  # refused before any view (config/middleware.py)
    elif code in ("AAA", "BBB") and to in ("AAA", "BBB") and to != code:
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if code in ("AAA", "BBB") else 404)
