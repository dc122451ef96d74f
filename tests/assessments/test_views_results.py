import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from assessments.results import career_step, result_document
from assessments.services import assessment_start
from careers.models import NextStepAction, Role, RoleRequirement, Skill, SkillLevel
from tests.assessments.helpers import submitted
from tests.conftest import build_catalogue
from tests.factories import RoleRequirementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(individual, catalogue):
    return submitted(assessment_start(owner=individual, roles=catalogue))


def test_result_page_ranks_roles_and_shows_the_analysis(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:detail", args=[result.pk]))

    assert response.status_code == 200
    roles = response.context["results"]
    assert [r.fit for r in roles] == sorted((r.fit for r in roles), reverse=True)
    top = roles[0]
    assert f"{top.fit:.1f}".replace(".", ",") in response.text  # French decimal comma
    assert len(top.top_gaps) <= 5
    for gap in top.top_gaps:
        assert gap.next_steps, "every top gap has at least one next step"
        assert gap.next_steps[0]["level"] == gap.level + 1
        assert gap.next_steps[0]["title"] in response.text
    assert "data-radar" not in response.text  # bars, drawn on the server, replace the radar
    assert response.text.count('class="skill-bars"') == 1  # one role open: the best fit
    assert f'id="role-{top.code}"' in response.text
    response = client.get(reverse("assessments:detail", args=[result.pk]), {"role": "all"})
    assert response.text.count('class="skill-bars"') == len(roles)
    assert "Développeur" in response.text  # career path, from the snapshot
    assert reverse("careers:role_detail", args=["BBB"]) in response.text  # linked career step
    assert "Prêt" in response.text and "Éloigné" in response.text  # bands explained


def test_result_page_is_shown_in_english_when_chosen(client, individual, result):
    client.force_login(individual)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("assessments:detail", args=[result.pk]))

    assert "Your gap analysis" in response.text
    assert "Skill 1" in response.text or "Skill" in response.context["results"][0].rows[0].name
    assert all(not row.name.startswith("Compétence") for row in response.context["results"][0].rows)


def test_result_page_opens_the_chosen_role(client, individual, result):
    client.force_login(individual)
    url = reverse("assessments:detail", args=[result.pk])
    last = client.get(url).context["results"][-1]

    response = client.get(url, {"role": last.code})

    assert response.context["chosen"] == last.code
    assert [r.code for r in response.context["shown"]] == [last.code]
    assert response.text.count('class="skill-bars"') == 1
    assert f'id="role-{last.code}"' in response.text
    assert 'aria-current="page"' in response.text  # the picker marks the open role
    assert f'href="?role={last.code}#role-{last.code}"' in response.text  # works without JS
    assert 'href="?role=all"' in response.text


@pytest.mark.parametrize("choice", ["NOPE", "", "a" * 60, "<b>"])
def test_an_unknown_role_opens_the_best_fit(client, individual, result, choice):
    client.force_login(individual)

    response = client.get(reverse("assessments:detail", args=[result.pk]), {"role": choice})

    assert response.status_code == 200
    best = response.context["results"][0]
    assert [r.code for r in response.context["shown"]] == [best.code]


@pytest.mark.parametrize("choice", ["", "all"])
def test_no_one_else_sees_a_chosen_role(client, individual, outsider, result, choice):
    url = reverse("assessments:detail", args=[result.pk])
    assert client.get(url, {"role": choice}).status_code == 302  # anonymous: to log in
    client.force_login(outsider)
    assert client.get(url, {"role": choice}).status_code == 404


def test_skill_bars_show_level_against_target_by_category(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:detail", args=[result.pk]))

    role = response.context["shown"][0]
    for row in role.rows:
        assert f'style="width: {row.level * 25}%"' in response.text
        assert f'style="left: {row.target * 25}%"' in response.text
        assert row.category in response.text
    assert "<canvas" not in response.text


@pytest.mark.parametrize(("categories", "per_category"), [(2, 3), (8, 12)])
def test_result_page_query_count_does_not_grow(
    client, individual, django_assert_num_queries, categories, per_category
):
    roles = build_catalogue(categories=categories, skills_per_category=per_category)
    assessment = submitted(assessment_start(owner=individual, roles=roles))
    client.force_login(individual)

    # session, user, assessment with its snapshot (read only because the page is not kept
    # yet), published role codes for the career links, the plan made before the result:
    # the catalogue's skills and requirements are not read at all
    url = reverse("assessments:detail", args=[assessment.pk])
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(3):  # the whole page kept: the session, user and plan
        assert client.get(url).status_code == 200
    with django_assert_num_queries(4):  # and the plan made from the result
        assert (
            client.get(reverse("assessments:result_json", args=[assessment.pk])).status_code == 200
        )
    with django_assert_num_queries(3):
        assert (
            client.get(reverse("assessments:result_csv", args=[assessment.pk])).status_code == 200
        )


def test_result_json_follows_the_export_contract(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:result_json", args=[result.pk]))

    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert list(data) == [
        "assessment",
        "submitted_at",
        "scale",
        "mode",
        "provisional",
        "roles",
        "plan",
    ]
    assert (data["mode"], data["provisional"]) == ("full", False)
    assert data["assessment"] == result.pk
    assert data["submitted_at"] == result.submitted_at.isoformat()
    assert data["scale"] == {"min": 0, "max": 4}
    fits = [role["fit"] for role in data["roles"]]
    assert fits == sorted(fits, reverse=True)
    for role in data["roles"]:
        assert list(role) == ["code", "name", "fit", "skills"]
        assert isinstance(role["fit"], float)
        skills = role["skills"]
        for skill in skills:
            assert list(skill) == ["code", "name", "weight", "target", "level", "gap", "priority"]
            assert skill["gap"] == max(0, skill["target"] - skill["level"])
            assert skill["priority"] == skill["weight"] * skill["gap"]
        gaps = [s for s in skills if s["gap"]]
        strengths = [s for s in skills if not s["gap"]]
        assert skills == gaps + strengths
        assert [(-s["priority"], -s["weight"]) for s in gaps] == sorted(
            (-s["priority"], -s["weight"]) for s in gaps
        )
        requirements = {
            r.skill.code: (r.weight, r.target)
            for r in RoleRequirement.objects.filter(role__code=role["code"]).select_related("skill")
        }
        assert {s["code"]: (s["weight"], s["target"]) for s in skills} == requirements


def test_result_json_fit_is_the_hand_computed_number(client, individual, catalogue):
    # Role BBB: skills 0, 2, 4 of role A; weights 5, 3, 1; targets 4, 2, 4.
    assessment = submitted(
        assessment_start(owner=individual, roles=catalogue[1:]), level_for=lambda i: 2
    )
    client.force_login(individual)

    data = client.get(reverse("assessments:result_json", args=[assessment.pk])).json()

    # achieved 5*2 + 3*2 + 1*2 = 18; possible 5*4 + 3*2 + 1*4 = 30 -> 60.0
    (role,) = data["roles"]
    assert role["fit"] == 60.0
    assert [(s["weight"], s["gap"], s["priority"]) for s in role["skills"]] == [
        (5, 2, 10),
        (1, 2, 2),
        (3, 0, 0),
    ]


def test_gap_csv_has_one_row_per_role_and_skill(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:result_csv", args=[result.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    document = client.get(reverse("assessments:result_json", args=[result.pk])).json()
    expected = [
        [
            role["code"],
            str(role["fit"]),
            s["code"],
            s["name"],
            str(s["weight"]),
            str(s["target"]),
            str(s["level"]),
            str(s["gap"]),
            str(s["priority"]),
            "full",
        ]
        for role in document["roles"]
        for s in role["skills"]
    ]
    assert rows[0][0] == "rôle"
    assert rows[1:] == expected


def test_draft_has_no_result_or_exports(client, individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    client.force_login(individual)

    assert client.get(reverse("assessments:result_json", args=[draft.pk])).status_code == 404
    assert client.get(reverse("assessments:result_csv", args=[draft.pk])).status_code == 404
    page = client.get(reverse("assessments:detail", args=[draft.pk]))
    assert page["Location"] == reverse("assessments:step", args=[draft.pk, 1])


def test_result_page_and_exports_unchanged_after_catalogue_edit(client, individual, result):
    client.force_login(individual)
    urls = [
        reverse("assessments:detail", args=[result.pk]),
        reverse("assessments:result_json", args=[result.pk]),
        reverse("assessments:result_csv", args=[result.pk]),
    ]

    def pages():
        cache.clear()  # render anew: the page must not depend on the live catalogue
        # CSRF tokens are masked anew on each page: leave them out of the comparison
        return [re.sub(r"[A-Za-z0-9]{64}", "", client.get(url).content.decode()) for url in urls]

    before = pages()

    RoleRequirement.objects.update(weight=5, target=1)
    RoleRequirement.objects.filter(role__code="BBB").first().delete()
    RoleRequirementFactory(role=Role.objects.get(code="BBB"))  # a new skill for the role
    Skill.objects.update(name_fr="Nom modifié", name_en="Changed name")
    SkillLevel.objects.update(descriptor_fr="Changé", descriptor_en="Changed")
    NextStepAction.objects.update(title_fr="Autre action", title_en="Other action")

    assert pages() == before


def test_compare_shows_what_todays_profile_would_give(client, individual, result):
    requirement = RoleRequirement.objects.filter(role__code="AAA").order_by("pk").first()
    requirement.weight, requirement.target = 5, 4
    requirement.save()
    added = RoleRequirementFactory(role=Role.objects.get(code="AAA"), weight=2, target=2)
    client.force_login(individual)

    response = client.get(reverse("assessments:compare", args=[result.pk]))

    assert response.status_code == 200
    role = next(c for c in response.context["comparisons"] if c.code == "AAA")
    kinds = {change.name: change.kind for change in role.changes}
    assert kinds == {requirement.skill.name_fr: "changed", added.skill.name_fr: "added"}
    assert next(c for c in role.changes if c.kind == "added").assessed is False
    # the same levels against the new weights: the comparison is scored, the result is not
    saved = result_document(result)["roles"]
    assert role.fit_then == next(r["fit"] for r in saved if r["code"] == "AAA")
    assert role.fit_now != role.fit_then
    result.refresh_from_db()
    assert result_document(result)["roles"] == saved


def test_compare_on_an_unchanged_catalogue_shows_no_change(client, individual, result):
    client.force_login(individual)

    response = client.get(reverse("assessments:compare", args=[result.pk]))

    for comparison in response.context["comparisons"]:
        assert comparison.changes == []
        assert comparison.fit_now == comparison.fit_then
    assert "Le profil n’a pas changé depuis votre évaluation." in response.text
    assert "Aucun profil n’a changé depuis votre évaluation" in response.text


def test_compare_after_a_change_has_no_unchanged_box(client, individual, result):
    RoleRequirement.objects.filter(role__code="AAA").update(target=4)
    client.force_login(individual)

    response = client.get(reverse("assessments:compare", args=[result.pk]))

    assert "Aucun profil n’a changé" not in response.text


def test_drafts_show_role_names_and_an_empty_state(client, individual, catalogue):
    client.force_login(individual)
    empty = client.get(reverse("assessments:list")).text
    assert "Aucun brouillon en cours. Une évaluation commencée est gardée ici" in empty
    assert 'class="empty-state"' in empty

    assessment_start(owner=individual, roles=catalogue)
    html = client.get(reverse("assessments:list")).text

    assert "Aucun brouillon en cours" not in html
    names = " · ".join(str(role.name_fr) for role in catalogue)
    assert names in re.sub(r"</?bdi[^>]*>", "", html)


def test_history_shows_fit_per_role_across_results(client, individual, catalogue):
    first = submitted(assessment_start(owner=individual, roles=catalogue), lambda i: 1)
    second = submitted(assessment_start(owner=individual, roles=catalogue[:1]), lambda i: 4)
    client.force_login(individual)

    response = client.get(reverse("assessments:list"))

    codes = response.context["history_codes"]
    history = response.context["history"]
    assert [row["assessment"] for row in history] == [first, second]
    assert codes == ["AAA", "BBB"] or codes == ["BBB", "AAA"]
    assert history[1]["fits"] == {"AAA": 100.0}
    assert history[1]["cells"][codes.index("BBB")] is None
    assert "100,0 %" in response.text


def test_list_query_count_does_not_grow(
    client, individual, catalogue, django_assert_max_num_queries
):
    for _ in range(2):
        submitted(assessment_start(owner=individual, roles=catalogue))
        assessment_start(owner=individual, roles=catalogue)
    client.force_login(individual)
    with django_assert_max_num_queries(6) as small:
        client.get(reverse("assessments:list"))
    for _ in range(6):
        submitted(assessment_start(owner=individual, roles=catalogue))
        assessment_start(owner=individual, roles=catalogue)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("assessments:list"))


def test_retake_creates_a_new_draft(client, individual, result):
    client.force_login(individual)

    response = client.post(reverse("assessments:retake", args=[result.pk]))

    new = individual.assessments.exclude(pk=result.pk).get()
    assert response["Location"] == reverse("assessments:step", args=[new.pk, 1])
    assert new.is_draft


def test_delete_removes_a_draft_but_never_a_result(client, individual, result, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    client.force_login(individual)

    client.post(reverse("assessments:delete", args=[draft.pk]))
    client.post(reverse("assessments:delete", args=[result.pk]))

    assert list(individual.assessments.all()) == [result]


def test_result_page_is_rendered_once_then_served_from_the_cache(
    client, individual, result, monkeypatch
):
    client.force_login(individual)
    url = reverse("assessments:detail", args=[result.pk])
    first = client.get(url)
    calls = []
    monkeypatch.setattr("assessments.views.build_result", lambda *a, **k: calls.append(a) or [])

    second = client.get(url)
    client.cookies["django_language"] = "en"
    english = client.get(url)

    assert calls == [(result,)]  # only the English page had to be built
    assert re.sub(r"[A-Za-z0-9]{64}", "", first.text) == re.sub(r"[A-Za-z0-9]{64}", "", second.text)
    assert english.status_code == 200


def test_a_career_step_to_a_role_bears_that_role_s_name():
    roles = {"PMO-MANAGER": {"name": {"fr": "Responsable du PMO", "en": "PMO manager"}}}
    step = {"name": {"fr": "Responsable PMO", "en": "PMO lead"}, "role": "PMO-MANAGER"}
    free = {"name": {"fr": "Chef de projet", "en": "Project manager"}, "role": None}

    assert career_step(step, roles, "fr") == {"name": "Responsable du PMO", "role": "PMO-MANAGER"}
    assert career_step(step, roles, "en")["name"] == "PMO manager"
    assert career_step(free, roles, "fr")["name"] == "Chef de projet"


def test_the_shipped_catalogue_names_career_steps_as_their_roles():
    catalogue = json.loads((settings.BASE_DIR / "fixtures" / "catalogue.json").read_text())
    names = {role["code"]: role["name"] for role in catalogue["roles"]}
    for role in catalogue["roles"]:
        for step in role["career"]["from"] + role["career"]["to"]:
            if step["role"] in names:
                assert step["name"] == names[step["role"]], (role["code"], step)


def test_a_cycle_result_opens_the_team_target_role_first(client, individual, catalogue):
    """In a review cycle the member is assessed against the target role their manager
    set (teams.services.cycle_assessment_start), so that is the role the page opens,
    whatever fits best; a plain result opens its best fit."""
    from teams.models import TeamMembership
    from teams.services import cycle_assessment_start, cycle_open, team_create
    from tests.factories import UserFactory

    team = team_create(manager=UserFactory(username="manon"), name="Plateforme")
    membership = TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[1])
    cycle = cycle_open(team=team, name="Revue", due_date="2030-01-01")
    assessment = submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    client.force_login(individual)

    response = client.get(reverse("assessments:detail", args=[assessment.pk]))

    assert response.context["chosen"] == catalogue[1].code
    assert [r.code for r in response.context["shown"]] == [catalogue[1].code]


def test_the_results_table_names_the_roles(client, individual, catalogue):
    submitted(assessment_start(owner=individual, roles=catalogue), lambda i: 1)
    submitted(assessment_start(owner=individual, roles=catalogue[:1]), lambda i: 2)
    client.force_login(individual)

    html = re.sub(r"</?bdi[^>]*>", "", client.get(reverse("assessments:list")).text)

    table = html.split('id="results-title"', 1)[1].split("</table>", 1)[0]
    assert " · ".join(str(role.name_fr) for role in catalogue) in table
    assert f"<td>{catalogue[0].code}" not in table
    history = html.split('id="history-table"', 1)[1].split("</thead>", 1)[0]
    for role in catalogue:  # short codes as headers, each with its name
        assert f'<abbr title="{role.name_fr}">{role.code}</abbr>' in history
