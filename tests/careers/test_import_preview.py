"""Imports that say what they will do: the rows by name, collisions, a prefix for codes."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from careers.interchange import (
    ImportRejected,
    catalogue_document,
    clean_prefix,
    dump_csv,
    import_catalogue,
    parse_csv,
    parse_json,
)
from careers.models import (
    CareerStep,
    NextStepAction,
    PendingImport,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)
from careers.services import LISTED
from tests.careers.framework import framework_document
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MODELS = (SkillCategory, Skill, SkillLevel, NextStepAction, Role, RoleRequirement, CareerStep)
URL = "admin:careers_catalogue_import"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shipped():
    call_command("load_catalogue", stdout=StringIO())


def rows() -> dict[str, list[tuple]]:
    """Every catalogue row, as stored (the translated columns, not the language's)."""
    found = {}
    for model in MODELS:
        names = {f.attname for f in model._meta.concrete_fields}
        columns = [name for name in sorted(names) if f"{name}_fr" not in names]
        found[model.__name__] = sorted(model.objects.values_list("pk", *columns))
    return found


def colliding(skills: int = 160) -> dict:
    """A framework two of whose skills and one of whose roles bear codes of the shipped
    catalogue, under other names: risk-management, communication and TPM."""
    document = framework_document(skills=skills)
    renamed = {"fw-skill-0": "risk-management", "fw-skill-1": "communication"}
    for category in document["categories"]:
        for skill in category["skills"]:
            skill["code"] = renamed.get(skill["code"], skill["code"])
    document["roles"][0]["code"] = "TPM"
    for role in document["roles"]:
        for requirement in role["requirements"]:
            requirement["skill"] = renamed.get(requirement["skill"], requirement["skill"])
    document["roles"][1]["career"]["to"] = [
        {"name": {"fr": "TPM", "en": "TPM"}, "role": "TPM"},
        {"name": {"fr": "PMO", "en": "PMO"}, "role": "PMO"},
    ]
    return document


# The report names the rows ---------------------------------------------------------


def test_a_dry_run_names_what_it_creates_updates_and_deletes(shipped):
    document = catalogue_document()
    skill = document["categories"][0]["skills"][2]
    assert skill["code"] == "risk-management"
    skill["name"]["fr"] = "Risques"
    skill["description"]["en"] = "Another description."
    removed = skill["actions"].pop()
    document["categories"][0]["skills"].append(
        {"code": "new-skill", "name": {"fr": "Neuve", "en": "New"}, "levels": {}, "actions": []}
    )
    before = rows()

    report = import_catalogue(document=document, dry_run=True)

    details = report.details()
    assert (
        "Skill risk-management « Risk management »: name (fr), description (en) will change"
    ) in details
    assert "Skill new-skill « New » will be created" in details
    assert (
        f"Next step {len(skill['actions']) + 1} of skill risk-management "
        f"« {removed['title']['en']} » will be deleted"
    ) in details
    assert rows() == before


def test_the_report_speaks_french_too(shipped):
    document = catalogue_document()
    document["roles"][0]["requirements"].pop()
    document["roles"][0]["name"]["en"] = "Technical programme manager"

    with translation.override("fr"):
        report = import_catalogue(document=document, dry_run=True)
        lines, details = report.lines(), report.details()

    assert any(line.startswith("Rôle TPM « ") and "nom (en)" in line for line in details)
    assert any(line.startswith("À supprimer : Exigence du rôle TPM sur ") for line in details)
    assert any("1 mise à jour" in line for line in lines), lines


def test_a_huge_file_names_the_first_rows_and_counts_the_others(db):
    report = import_catalogue(document=framework_document(skills=160), dry_run=True)

    skills = report.listed[Skill._meta.verbose_name_plural]["created"]
    assert len(skills) == LISTED and skills[0] == "Skill fw-skill-0 « Skill 0 » will be created"
    assert "Next-step actions: 540 more to create" in report.details()


# Collisions and the prefix ---------------------------------------------------------


def test_a_framework_over_the_catalogue_flags_its_colliding_codes(shipped):
    before = rows()

    report = import_catalogue(document=colliding(), dry_run=True)

    assert (
        "Skill risk-management: « Gestion des risques » / « Risk management » (category "
        "project-management) in the catalogue, « Compétence 0 » / « Skill 0 » "
        "(category fw-domain-0) in the file"
    ) in report.collisions
    assert {line.split(":")[0] for line in report.collisions} == {
        "Skill communication",
        "Skill risk-management",
        "Role TPM",
    }
    assert any(line.startswith("Skill risk-management « Skill 0 »: ") for line in report.details())
    assert rows() == before


def test_the_prefix_imports_the_framework_beside_the_shipped_catalogue(shipped):
    before = rows()
    shipped_skills = Skill.objects.count()

    dry = import_catalogue(document=colliding(), dry_run=True, prefix="acme")
    report = import_catalogue(document=colliding(), dry_run=False, prefix="acme-")

    assert dry.collisions == report.collisions == []
    assert report.total("updated") == report.total("deleted") == 0
    assert Skill.objects.count() == shipped_skills + 160
    assert Skill.objects.get(code="acme-risk-management").category.code == "acme-fw-domain-0"
    role = Role.objects.get(code="acme-TPM")
    assert role.requirements.filter(skill__code="acme-risk-management").exists()
    links = Role.objects.get(code="acme-FW-ROLE-1").career_steps.values_list(
        "linked_role__code", flat=True
    )
    assert sorted(links) == ["PMO", "acme-TPM"]  # PMO is not in the file: it stays
    after = rows()
    for model in MODELS:
        kept = {row[0]: row for row in after[model.__name__]}
        assert all(kept[row[0]] == row for row in before[model.__name__]), model
    action = NextStepAction.objects.filter(skill__code="acme-fw-skill-5", url__gt="").first()
    assert action.provider and action.language
    assert SkillLevel.objects.get(skill__code="acme-fw-skill-5", level=3).indicators_en


@pytest.mark.parametrize("prefix", ["Acme-", "acme--", "ac me", "-acme", "a" * 21])
def test_a_bad_prefix_is_refused(prefix):
    with pytest.raises(ImportRejected, match="may only hold lowercase letters"):
        clean_prefix(prefix)


def test_the_prefix_applies_to_a_csv_file_too(shipped):
    raw = dump_csv(colliding(skills=20)).encode()

    import_catalogue(document=parse_csv(raw), dry_run=False, prefix="x1")

    assert Skill.objects.filter(code__startswith="x1-").count() == 20
    assert Skill.objects.get(code="risk-management").name_en == "Risk management"


def test_the_command_lists_collisions_and_takes_a_prefix(shipped, tmp_path):
    path = tmp_path / "framework.json"
    path.write_text(json.dumps(colliding(skills=20)))
    out = StringIO()

    call_command("import_catalogue", str(path), "--dry-run", stdout=out)

    assert "Codes the catalogue holds under other names" in out.getvalue()
    assert "Skill risk-management: « Gestion des risques »" in out.getvalue()
    assert "Role TPM « Framework role 0 »: " in out.getvalue()
    out = StringIO()
    call_command("import_catalogue", str(path), "--prefix", "acme-", stdout=out)
    assert "Codes the catalogue" not in out.getvalue()
    assert Role.objects.filter(code="acme-TPM").exists()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), "--prefix", "A B", stderr=StringIO())


# Nothing to import ------------------------------------------------------------------


@pytest.mark.parametrize("raw, fmt", [(b"{}", "json"), (b"type,code,name_fr,name_en\n", "csv")])
def test_a_file_with_nothing_to_import_is_refused(raw, fmt):
    document = parse_json(raw) if fmt == "json" else parse_csv(raw)

    with pytest.raises(ImportRejected, match="no category and no role: there is nothing"):
        import_catalogue(document=document, dry_run=True)


def test_an_import_that_changes_nothing_says_so(shipped):
    report = import_catalogue(document=catalogue_document(), dry_run=True)

    assert report.changes_nothing() and report.details() == []


# The admin --------------------------------------------------------------------------


@pytest.fixture
def editor_client(client, shipped):
    user = UserFactory(username="edith", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    client.force_login(user)
    return client


def upload(document: dict, name: str = "framework.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(document).encode())


def hidden(response) -> dict:
    form = response.context["pending"]
    return {"token": form.token, "digest": form.digest}


@pytest.mark.parametrize(
    ("language", "collision", "confirm"),
    [
        ("en", "Skill risk-management: « Gestion des risques »", "update the existing records"),
        ("fr", "Compétence risk-management : « Gestion des risques »", "mettre à jour"),
    ],
)
def test_the_preview_flags_collisions_then_previews_again_with_a_prefix(
    editor_client, language, collision, confirm
):
    editor_client.cookies["django_language"] = language
    before = rows()

    preview = editor_client.post(reverse(URL), {"file": upload(colliding())})

    assert preview.status_code == 200
    assert collision in preview.text
    assert confirm in preview.text
    again = editor_client.post(
        reverse(URL), {"again": "1", "code_prefix": "acme", **hidden(preview)}
    )
    assert again.context["report"].collisions == []
    assert again.context["pending"].prefix == "acme-"
    assert confirm not in again.text
    assert rows() == before  # previews write nothing

    done = editor_client.post(reverse(URL), {"confirm": "1", **hidden(again)})

    assert done.status_code == 302
    assert Skill.objects.filter(code__startswith="acme-").count() == 160
    assert Skill.objects.get(code="risk-management").name_en == "Risk management"


def test_the_upload_form_takes_a_prefix(editor_client):
    preview = editor_client.post(
        reverse(URL), {"file": upload(colliding(skills=20)), "code_prefix": "acme-"}
    )

    assert preview.context["report"].collisions == []
    assert PendingImport.objects.get().prefix == "acme-"
    assert "acme-risk-management" in preview.text


def test_a_file_that_changes_nothing_offers_no_confirm(editor_client):
    preview = editor_client.post(reverse(URL), {"file": upload(catalogue_document())})

    assert "Nothing would change" in preview.text or "Rien ne changerait" in preview.text
    assert 'name="confirm"' not in preview.text
    assert not PendingImport.objects.exists()


def test_who_may_not_use_the_import(client, shipped, individual):
    staff_outside_the_group = UserFactory(is_staff=True)
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Catalogue editors"))
    client.force_login(editor)
    preview = client.post(reverse(URL), {"file": upload(colliding(skills=20))})
    fields = hidden(preview)
    before = rows()

    client.force_login(staff_outside_the_group)
    for data in ({"file": upload(colliding(skills=20))}, {"again": "1", **fields}):
        assert client.post(reverse(URL), data).status_code == 403
    assert client.post(reverse(URL), {"confirm": "1", **fields}).status_code == 403
    for person in (individual, None):  # not staff; a visitor
        client.logout()
        if person:
            client.force_login(person)
        for data in ({"again": "1", **fields}, {"confirm": "1", **fields}):
            response = client.post(reverse(URL), data)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))
    assert rows() == before
