"""Catalogue names are one line of text: no control characters, in the admin and in the
import (careers/validators.py). Descriptions and descriptors may hold line breaks."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from careers.interchange import (
    ImportRejected,
    catalogue_document,
    dump_csv,
    import_catalogue,
    parse_csv,
)
from careers.models import SkillCategory
from careers.validators import no_control_characters, single_line
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


CONTROL = ["\n", "\r", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"]


@pytest.fixture
def catalogue_editor(db):
    user = UserFactory(username="edith", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    return user


@pytest.mark.parametrize("char", CONTROL)
def test_a_control_character_is_refused(char):
    with pytest.raises(ValidationError) as refused:
        no_control_characters(f"Gestion{char}des risques")

    assert refused.value.code == "control_characters"


@pytest.mark.parametrize(
    "name", ["Gestion des risques", "Équipe « Données » · 2025", "Design 🎨", "A\u00a0B"]
)
def test_ordinary_names_pass(name):
    no_control_characters(name)  # raises on failure
    assert single_line(name) == " ".join(name.split())


def test_single_line_turns_control_characters_into_spaces():
    assert single_line("Équipe\r\nPlateforme\t(2025)\u2028") == "Équipe Plateforme (2025)"


@pytest.mark.parametrize("char", ["\n", "\t", "\u2028"])
def test_the_admin_refuses_a_category_name_with_a_control_character(client, catalogue_editor, char):
    client.force_login(catalogue_editor)

    response = client.post(
        reverse("admin:careers_skillcategory_add"),
        {"code": "risques", "name_fr": f"Risques{char}et projets", "name_en": "Risks", "order": 1},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["name_fr"]] == ["control_characters"]
    assert "un nom tient sur une ligne" in response.text
    assert not SkillCategory.objects.exists()


def test_the_admin_refuses_a_role_name_with_a_line_break(client, catalogue_editor, catalogue):
    from tests.careers.test_admin import form_data

    client.force_login(catalogue_editor)
    role = catalogue[0]
    url = reverse("admin:careers_role_change", args=[role.pk])
    data = form_data(client.get(url))
    data["name_en"] = "Programme\nmanager"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "name_en" in response.context["adminform"].form.errors
    role.refresh_from_db()
    assert "\n" not in role.name_en


def test_the_import_refuses_a_name_with_a_line_break_and_names_where(catalogue):
    document = catalogue_document()
    document["categories"][0]["skills"][1]["name"]["en"] = "Risk\nmanagement"
    document["roles"][0]["career"]["from"][0]["name"]["fr"] = "Dév\teloppeur"

    with pytest.raises(ImportRejected) as rejected:
        import_catalogue(document=document, dry_run=True)

    messages = [str(error) for error in rejected.value.errors]
    assert messages == [
        "categories[0].skills[1]: name in English (name.en) holds a line break, a tab or another"
        " control character: a name is one line of text",
        "roles[0].career.from[0]: name in French (name.fr) holds a line break, a tab or another"
        " control character: a name is one line of text",
    ]


def test_the_csv_import_refuses_an_action_title_with_a_line_break(catalogue):
    document = catalogue_document()
    skill = document["categories"][0]["skills"][0]
    skill["actions"] = [
        {"level": 2, "kind": "training", "title": {"fr": "Cours\navancé", "en": "Course"}}
    ]
    raw = dump_csv(document).encode()

    with pytest.raises(ImportRejected) as rejected:
        parse_csv(raw)

    assert [error.message for error in rejected.value.errors] == [
        "title in French (name_fr) holds a line break, a tab or another control character:"
        " a name is one line of text"
    ]


def test_descriptions_and_descriptors_keep_their_line_breaks(catalogue):
    document = catalogue_document()
    skill = document["categories"][0]["skills"][0]
    skill["description"] = {"fr": "Ligne 1\nLigne 2", "en": "Line 1\nLine 2"}
    skill["levels"] = {"1": {"fr": "Sait\nfaire", "en": "Can\ndo"}}

    report = import_catalogue(document=document, dry_run=False)

    assert report.total("updated") >= 1
