"""The result as a PDF (assessments.views.result_pdf): what it says, in each language,
and who may download it (the rule of the result files, assessments/access.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from assessments.results import build_result
from assessments.services import assessment_start
from config.pdf import content_disposition
from teams.models import TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    membership_remove,
    membership_set_kind,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.factories import RoleFactory, RoleRequirementFactory, SkillFactory, UserFactory
from tests.pdf_text import page_count, pdf_text

pytestmark = pytest.mark.django_db


def url(result, role=None) -> str:
    return reverse("assessments:result_pdf", args=[result.pk]) + (f"?role={role}" if role else "")


@pytest.fixture
def result(individual, catalogue):
    return submitted(assessment_start(owner=individual, roles=catalogue))


def test_french_by_default_best_role_first(client, individual, result):
    client.force_login(individual)
    response = client.get(url(result))
    assert response.status_code == 200
    text = pdf_text(response)
    document = client.get(reverse("assessments:result_json", args=[result.pk])).json()
    first, second = document["roles"]
    assert "Résultat de l’auto-évaluation" in text
    assert "Votre adéquation par rôle, de la plus forte à la plus faible" in text
    assert "Comment l’adéquation est calculée" in text
    assert f"{first['fit']:.1f} %".replace(".", ",") in text
    assert f"{second['fit']:.1f} %".replace(".", ",") in text
    assert first["name"] in text and second["name"] in text
    assert "alice" in text
    assert date_format(timezone.localtime(result.submitted_at)) in text  # "2 décembre 2026"
    # Only the best-fit role is detailed by default.
    assert text.count("Principaux écarts et prochaines étapes") == 1
    assert f"1. {first['name']} · " in text
    assert f"2. {second['name']} · " not in text


def test_english_all_roles(client, individual, result):
    client.force_login(individual)
    client.cookies["django_language"] = "en"
    response = client.get(url(result, "all"))
    text = pdf_text(response)
    document = client.get(reverse("assessments:result_json", args=[result.pk])).json()
    assert "Skills assessment result" in text
    assert "How the fit is computed" in text
    assert "Résultat" not in text
    assert text.count("Top gaps and next steps") == 2
    with translation.override("en"):
        assert date_format(timezone.localtime(result.submitted_at)) in text
    for rank, role in enumerate(document["roles"], start=1):
        assert f"{role['fit']:.1f} %" in text
        assert f"{rank}. {role['name']} · {role['fit']:.1f} %" in text  # a name, no code
        assert f"({role['code']})" not in text


def test_one_chosen_role_and_an_unknown_one(client, individual, result):
    client.force_login(individual)
    text = pdf_text(client.get(url(result, "BBB")))
    roles = {r.code: r for r in build_result(result)}
    bbb, aaa = roles["BBB"], roles["AAA"]
    assert f"{bbb.rank}. {bbb.name} · " in text and f"{aaa.rank}. {aaa.name} · " not in text
    assert client.get(url(result, "NOPE")).status_code == 404


def test_no_gap_and_no_next_step(client, individual):
    """A result with no gap says so; a gap whose skill lists no next step says so too."""
    skills = [SkillFactory(with_levels=False) for _ in range(3)]
    met, unmet = RoleFactory(code="MET"), RoleFactory(code="UNMET")
    for skill in skills:
        RoleRequirementFactory(role=met, skill=skill, weight=3, target=1)
        RoleRequirementFactory(role=unmet, skill=skill, weight=3, target=4)
    result = submitted(assessment_start(owner=individual, roles=[met, unmet]), lambda i: 2)
    client.force_login(individual)
    response = client.get(url(result, "all"))
    assert response.status_code == 200
    text = pdf_text(response)
    assert "Aucun écart : vous atteignez toutes les cibles de ce rôle." in text
    assert "Aucune prochaine étape n’est encore proposée pour cette compétence" in text


def test_long_non_latin_name_renders_and_names_the_file(client, catalogue):
    name = ("Zoë-Ωμέγα-שלום-" * 10)[:150]
    owner = UserFactory(username=name)
    result = submitted(assessment_start(owner=owner, roles=catalogue))
    client.force_login(owner)
    response = client.get(url(result))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.isascii()
    assert disposition.startswith(f'attachment; filename="{result.submitted_at:%Y}-')
    assert "-Zo%C3%AB-%CE%A9" in disposition
    assert "Ωμέγα" in pdf_text(response)


def test_content_disposition_is_safe():
    header = content_disposition('a"b\\c\r\n/d; é.pdf')
    assert header == (
        'attachment; filename="a-b-c-d-e.pdf"; '
        "filename*=UTF-8''a%22b%5Cc%0D%0A%2Fd%3B%20%C3%A9.pdf"
    )
    long = content_disposition("ж" * 150 + ".pdf")
    assert 'filename="report.pdf"' in long
    assert long.endswith("%B6.pdf") and long.count("%D0%B6") == 100


def test_outsider_and_visitor_get_nothing(client, outsider, result):
    assert client.get(url(result)).status_code == 302  # to the log-in page
    client.force_login(outsider)
    assert client.get(url(result)).status_code == 404


def test_draft_is_not_found(client, individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    client.force_login(individual)
    assert client.get(url(draft)).status_code == 404


@pytest.fixture
def team_result(individual, catalogue):
    """Alice's result for a cycle of olivia's team, which bob co-manages."""
    olivia, bob = UserFactory(username="olivia"), UserFactory(username="bob")
    team = team_create(manager=olivia, name="Plateforme")
    bob_place = TeamMembership.objects.create(team=team, user=bob, kind="manager")
    alice = TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[0])
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    result = submitted(cycle_assessment_start(cycle=cycle, membership=alice))
    return result, olivia, bob, bob_place, alice


def test_managers_read_it_while_both_are_in_the_team(client, team_result):
    result, olivia, bob, bob_place, alice = team_result
    for manager in (olivia, bob):
        client.force_login(manager)
        assert client.get(url(result)).status_code == 200
    membership_set_kind(membership=bob_place, kind="member")  # bob demoted
    client.force_login(bob)
    assert client.get(url(result)).status_code == 404
    client.force_login(olivia)
    assert client.get(url(result)).status_code == 200
    membership_remove(membership=alice)  # alice leaves: her result is hers alone again
    assert client.get(url(result)).status_code == 404


def test_removed_manager_reads_it_no_more(client, team_result):
    result, olivia, bob, bob_place, alice = team_result
    client.force_login(bob)
    assert client.get(url(result)).status_code == 200
    membership_remove(membership=bob_place)
    assert client.get(url(result)).status_code == 404


def _result_with_roles(owner, roles: int, skills: int):
    made = []
    every = [SkillFactory() for _ in range(skills)]
    for n in range(roles):
        role = RoleFactory(code=f"R{roles}X{n}")
        for i, skill in enumerate(every):
            RoleRequirementFactory(role=role, skill=skill, weight=i % 5 + 1, target=(i + n) % 4 + 1)
        made.append(role)
    return submitted(assessment_start(owner=owner, roles=made))


def test_query_count_does_not_grow_with_roles(client, individual):
    small = _result_with_roles(individual, roles=2, skills=3)
    large = _result_with_roles(individual, roles=6, skills=12)
    client.force_login(individual)
    counts = []
    for result in (small, large):
        client.get(url(result, "all"))  # the published role codes are kept after the first
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(result, "all")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], "the PDF reads the snapshot, never the catalogue per role"
    # session, user, the result, the plan made from it
    assert counts[0] <= 5, [q["sql"] for q in queries.captured_queries]
    assert page_count(client.get(url(large, "all"))) >= 6  # one role per page at least


def test_the_result_page_links_to_the_pdf_of_the_role_it_shows(client, individual, result):
    client.force_login(individual)
    document = client.get(reverse("assessments:result_json", args=[result.pk])).json()
    second = document["roles"][1]["code"]
    pdf = reverse("assessments:result_pdf", args=[result.pk])

    default = client.get(reverse("assessments:detail", args=[result.pk])).text
    chosen = client.get(reverse("assessments:detail", args=[result.pk]), {"role": second}).text
    every = client.get(reverse("assessments:detail", args=[result.pk]), {"role": "all"}).text

    assert f'href="{pdf}?role={document["roles"][0]["code"]}" download' in default
    assert f'href="{pdf}?role={second}" download' in chosen
    assert f'href="{pdf}?role=all" download' in every and "tous les rôles" in every
