"""Every CSV the app writes is safe to open in a spreadsheet program (OWASP, "CSV
Injection"): the result's gaps.csv, a cycle's matrix.csv and the catalogue export (admin
and command line). Names and usernames that start with =, +, -, @, a tab or a carriage
return reach the file as text: prefixed with a quote, in double quotes. Numbers stay
numbers. The catalogue import reads its own exports back to the same records; the XLSX
files store the same text as text.
"""

import csv
import io
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.services import assessment_start
from careers.csvcells import RISKY_FIRST
from careers.interchange import (
    catalogue_document,
    dump_csv,
    dump_json,
    import_catalogue,
    parse_csv,
    parse_json,
)
from careers.models import (
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.careers.test_csvcells import PAYLOADS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Usernames Django accepts (letters, digits and @.+-_) that a spreadsheet would run.
RISKY_USERNAMES = ["+1+1", "-1+1", "@SUM"]
CATALOGUE_MODELS = (CareerStep, RoleRequirement, NextStepAction, SkillLevel, Skill, SkillCategory)


def cells(content: bytes, delimiter: str = ",") -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_safe(rows: list[list[str]]) -> None:
    risky = [cell for row in rows for cell in row if cell.startswith(RISKY_FIRST)]
    assert not risky, f"cells a spreadsheet would run: {risky}"


def name_skills(catalogue, names) -> list[Skill]:
    """The catalogue's first skills renamed, in both languages (as an import could)."""
    skills = list(Skill.objects.filter(requirements__role=catalogue[0]).order_by("order"))
    for skill, name in zip(skills, names, strict=False):
        Skill.objects.filter(pk=skill.pk).update(name_fr=name, name_en=name)
    return skills


# --- a person's gaps.csv --------------------------------------------------------------


@pytest.mark.parametrize("name", PAYLOADS)
def test_gaps_csv_writes_a_risky_skill_name_as_text(client, individual, catalogue, name):
    name_skills(catalogue, [name])
    result = submitted(assessment_start(owner=individual, roles=catalogue[:1]))
    client.force_login(individual)

    response = client.get(reverse("assessments:result_csv", args=[result.pk]))

    rows = cells(response.content)
    assert_safe(rows)
    assert "'" + name in [row[3] for row in rows[1:]]


def test_gaps_csv_writes_numbers_bare_and_text_quoted(client, individual, catalogue):
    name_skills(catalogue, ["-1"])
    result = submitted(assessment_start(owner=individual, roles=catalogue[:1]))
    client.force_login(individual)

    response = client.get(reverse("assessments:result_csv", args=[result.pk]))

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith('"rôle","adéquation",')
    row = next(line for line in lines if '"\'-1"' in line)
    role, fit, code, name, *figures, mode = row.split(",")
    assert (role, name, mode) == ('"AAA"', '"\'-1"', '"full"')
    assert float(fit) and all(figure.isdigit() for figure in figures), row
    assert code.startswith('"') and code.endswith('"')


# --- a cycle's matrix.csv -------------------------------------------------------------


@pytest.fixture
def risky_cycle(catalogue):
    """Members whose usernames act as formulas, and a skill named like one."""
    name_skills(catalogue, ['=HYPERLINK("http://x","y")'])
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    for username in RISKY_USERNAMES:
        membership = TeamMembership.objects.create(
            team=team, user=UserFactory(username=username), target_role=catalogue[0]
        )
        submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    return cycle


def matrix(client, cycle, fmt):
    client.force_login(cycle.team.memberships.get(kind="manager").user)
    response = client.get(reverse("teams:cycle_matrix", args=[cycle.team_id, cycle.pk, fmt]))
    assert response.status_code == 200
    return response


def test_matrix_csv_writes_risky_usernames_and_names_as_text(client, risky_cycle):
    rows = cells(matrix(client, risky_cycle, "csv").content)

    assert_safe(rows)
    assert {row[0] for row in rows[1:]} == {"'" + name for name in RISKY_USERNAMES}
    assert '\'=HYPERLINK("http://x","y")' in {row[3] for row in rows[1:]}


def test_matrix_csv_keeps_its_columns_and_numbers(client, risky_cycle):
    lines = matrix(client, risky_cycle, "csv").content.decode("utf-8-sig").splitlines()

    assert lines[0] == (
        '"member","role","skill","skill_name","self","manager","used","target","gap","mode"'
    )
    member, role, _code, _name, own, manager, used, target, gap, mode = next(csv.reader([lines[1]]))
    assert member.startswith("'") and role == "AAA" and manager == "" and mode == "full"
    assert all(value.isdigit() for value in (own, used, target, gap))
    assert lines[1].endswith(f',{own},"",{used},{target},{gap},"full"'), "numbers bare"


# --- the XLSX files: text stays text --------------------------------------------------


@pytest.mark.parametrize("name", PAYLOADS)
def test_result_xlsx_stores_a_risky_name_as_text(client, individual, catalogue, name):
    name_skills(catalogue, [name])
    result = submitted(assessment_start(owner=individual, roles=catalogue[:1]))
    client.force_login(individual)

    response = client.get(reverse("assessments:result_xlsx", args=[result.pk]))

    sheet = load_workbook(io.BytesIO(response.content))["Tableau des écarts"]
    read_back = name.replace("\r", "\n")  # XML reads a carriage return as a line feed
    (cell,) = [row[3] for row in sheet.iter_rows(min_row=2) if row[3].value == read_back]
    assert cell.data_type == "s"


def test_matrix_xlsx_stores_risky_usernames_and_names_as_text(client, risky_cycle):
    book = load_workbook(io.BytesIO(matrix(client, risky_cycle, "xlsx").content))

    texts = [
        cell
        for sheet in (book["Matrice"], book["Données"])
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(RISKY_FIRST)
    ]
    assert {cell.value for cell in texts} >= {*RISKY_USERNAMES, '=HYPERLINK("http://x","y")'}
    assert all(cell.data_type == "s" for cell in texts)


# --- the catalogue export and its import ----------------------------------------------


@pytest.fixture
def risky_catalogue(catalogue):
    """Every kind of catalogue text starting with a risky character (names refuse tabs
    and line breaks, descriptions keep them inside), and names already quoted."""
    risky = [p for p in PAYLOADS if not p.startswith(("\t", "\r"))]  # stripped on import
    names = iter([*risky, "'=1+1", "''@x", "'t Hooft"] * 10)
    texts = iter([*risky, "-1", "+33 1 23 45 67 89", "=A1\tsuite"] * 10)
    for model, name_field, text_field in (
        (SkillCategory, "name", "description"),
        (Skill, "name", "description"),
        (Role, "name", "summary"),
        (NextStepAction, "title", "detail"),
        (CareerStep, "name", None),
        (SkillLevel, None, "descriptor"),
    ):
        for pk in model.objects.order_by("pk").values_list("pk", flat=True):
            values = {}
            for field, source in ((name_field, names), (text_field, texts)):
                if field:
                    value = next(source)
                    values |= {f"{field}_fr": value, f"{field}_en": value + " (en)"}
            model.objects.filter(pk=pk).update(**values)
    return catalogue


def test_catalogue_csv_export_writes_risky_text_as_text(risky_catalogue):
    rows = cells(dump_csv(catalogue_document()).encode())

    assert_safe(rows)
    header = rows[0]
    names = {row[header.index("name_fr")] for row in rows[1:]}
    assert {"'" + p for p in PAYLOADS[:5]} <= names
    assert {"''=1+1", "'''@x", "'t Hooft"} <= names


def test_catalogue_csv_export_writes_numbers_bare(risky_catalogue):
    lines = dump_csv(catalogue_document()).splitlines()

    requirement = next(line for line in lines if line.startswith('"requirement"'))
    weight, target = next(csv.reader([requirement]))[4:6]
    assert f'"",{weight},{target},' in requirement and weight.isdigit() and target.isdigit()


def test_catalogue_csv_export_from_the_admin_and_the_command_is_safe(
    client, risky_catalogue, tmp_path
):
    editor = UserFactory(username="edith", is_staff=True)
    editor.groups.add(Group.objects.get(name="Catalogue editors"))
    client.force_login(editor)
    path = tmp_path / "catalogue.csv"

    admin = client.get(reverse("admin:careers_catalogue_export", args=["csv"]))
    call_command("export_catalogue", output=str(path), delimiter=";", stdout=StringIO())

    assert admin.status_code == 200
    assert_safe(cells(admin.content))
    assert_safe(cells(path.read_bytes(), delimiter=";"))
    assert parse_csv(path.read_bytes()) == catalogue_document()


def records() -> dict[str, list[tuple]]:
    """Every catalogue row's texts (in both languages) and figures, without its keys."""
    found = {}
    for model in (*CATALOGUE_MODELS, Role):
        names = {f.attname for f in model._meta.concrete_fields}
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not (f.primary_key or f.is_relation or f"{f.attname}_fr" in names)
        ]
        found[model.__name__] = sorted(model.objects.values_list(*fields), key=repr)
    return found


@pytest.mark.parametrize(
    "dump, parse",
    [
        (dump_csv, parse_csv),
        (lambda document: dump_csv(document, delimiter=";"), parse_csv),
        (dump_json, parse_json),
    ],
    ids=["csv", "csv-semicolon", "json"],
)
def test_risky_catalogue_exports_and_imports_to_the_same_records(risky_catalogue, dump, parse):
    # Factory data has gaps in its display orders: a first import renumbers them.
    import_catalogue(document=catalogue_document(), dry_run=False)
    before, exported = records(), catalogue_document()
    raw = dump(exported).encode()
    RoleRequirement.objects.all().delete()
    CareerStep.objects.all().delete()
    for model in CATALOGUE_MODELS:
        model.objects.all().delete()
    Role.objects.all().delete()

    import_catalogue(document=parse(raw), dry_run=False)

    assert catalogue_document() == exported
    assert records() == before
    assert dump(catalogue_document()).encode() == raw
    again = import_catalogue(document=parse(raw), dry_run=False)
    assert again.total("updated") == again.total("created") == 0
