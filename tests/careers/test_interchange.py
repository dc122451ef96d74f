"""Catalogue import and export: round trips, dry runs, rejected files, large files."""

import codecs
import csv
import io
import json
import tracemalloc
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from careers.interchange import (
    COLUMNS,
    MAX_IMPORT_BYTES,
    ImportRejected,
    RowError,
    catalogue_document,
    dump_csv,
    dump_json,
    import_catalogue,
    parse_csv,
    parse_json,
    read_limited,
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
from tests.factories import (
    CareerStepFactory,
    RoleFactory,
    RoleRequirementFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages these tests read are the English ones (French: test_import_messages)."""
    with translation.override("en"):
        yield


# In an order that deletes children before what they point to.
MODELS = (CareerStep, RoleRequirement, NextStepAction, SkillLevel, Skill, SkillCategory, Role)
EXPORT_QUERIES = 7
FORMATS = {
    "json": (dump_json, parse_json),
    "csv": (dump_csv, parse_csv),
    "csv-semicolon": (lambda document: dump_csv(document, delimiter=";"), parse_csv),
}


@pytest.fixture
def loaded():
    call_command("load_catalogue", stdout=StringIO())


@pytest.fixture
def existing(db):
    """What the small file BASE refers to in the catalogue (faster than the fixture)."""
    role = RoleFactory(code="TPM")
    RoleRequirementFactory(role=role, skill=SkillFactory(code="risk-management"))


def flush_catalogue() -> None:
    for model in MODELS:
        model.objects.all().delete()


def state() -> tuple[dict, dict]:
    """The exported catalogue and every catalogue row's primary key."""
    pks = {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}
    return catalogue_document(), pks


def row_count() -> int:
    return sum(model.objects.count() for model in MODELS)


def csv_bytes(rows: list[dict], *, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def import_csv(raw: bytes, *, dry_run: bool = False):
    return import_catalogue(document=parse_csv(raw), dry_run=dry_run)


def generated_document(*, categories: int, skills: int, roles: int, requirements: int) -> dict:
    """A catalogue of the given size, written as `catalogue_document` exports it."""

    def text(fr: str, en: str) -> dict[str, str]:
        return {"fr": fr, "en": en}

    codes = []
    document: dict = {"categories": [], "roles": []}
    for c in range(categories):
        category = {
            "code": f"gen-category-{c}",
            "name": text(f"Catégorie {c}", f"Category {c}"),
            "description": text("", ""),
            "skills": [],
        }
        for s in range(skills):
            code = f"gen-skill-{c}-{s}"
            codes.append(code)
            category["skills"].append(
                {
                    "code": code,
                    "name": text(f"Compétence {c}-{s}", f"Skill {c}-{s}"),
                    "description": text("Décrite.", "Described."),
                    "levels": {str(lv): text(f"Niveau {lv}", f"Level {lv}") for lv in range(1, 5)},
                    "actions": [
                        {
                            "level": lv,
                            "kind": "training",
                            "title": text(f"Formation {lv}", f"Training {lv}"),
                            "detail": text("", ""),
                        }
                        for lv in range(1, 5)
                    ],
                }
            )
        document["categories"].append(category)
    for r in range(roles):
        document["roles"].append(
            {
                "code": f"GEN-{r}",
                "published": r % 4 != 3,
                "name": text(f"Rôle {r}", f"Role {r}"),
                "summary": text("Résumé.", "Summary."),
                "requirements": [
                    {"skill": code, "weight": i % 5 + 1, "target": i % 4 + 1}
                    for i, code in enumerate(codes[r % 3 :: 3][:requirements])
                ],
                "career": {
                    "from": [{"name": text("Ingénieur", "Engineer"), "role": None}],
                    "to": [{"name": text("Suivant", "Next"), "role": f"GEN-{(r + 1) % roles}"}],
                },
            }
        )
    return document


# Export ----------------------------------------------------------------------------


def test_export_of_the_loaded_fixture_is_the_fixture(loaded, settings):
    """Plus a published flag on each role, and requirements in catalogue order."""
    fixture = json.loads((settings.BASE_DIR / "fixtures" / "catalogue.json").read_text())
    skills = [skill["code"] for category in fixture["categories"] for skill in category["skills"]]
    for role in fixture["roles"]:
        role["published"] = True
        role["requirements"].sort(key=lambda requirement: skills.index(requirement["skill"]))

    assert catalogue_document() == fixture


@pytest.mark.parametrize("dump, parse", FORMATS.values(), ids=FORMATS.keys())
def test_export_flush_import_gives_the_same_catalogue(loaded, dump, parse):
    draft = RoleFactory(code="DRAFT", is_published=False)
    RoleRequirementFactory(role=draft, skill=Skill.objects.last(), weight=2, target=1)
    CareerStepFactory(role=draft, direction="from", linked_role=Role.objects.get(code="TPM"))
    exported = catalogue_document()
    raw = dump(exported).encode()
    flush_catalogue()
    assert row_count() == 0

    report = import_catalogue(document=parse(raw), dry_run=False)

    assert catalogue_document() == exported
    assert dump(catalogue_document()).encode() == raw
    assert report.total("created") == row_count()
    draft_doc = next(role for role in exported["roles"] if role["code"] == "DRAFT")
    assert draft_doc["published"] is False
    assert draft_doc["career"]["from"][0]["role"] == "TPM"


@pytest.mark.parametrize("dump, parse", FORMATS.values(), ids=FORMATS.keys())
def test_importing_the_same_file_again_changes_nothing(loaded, dump, parse):
    raw = dump(catalogue_document()).encode()
    before = state()

    report = import_catalogue(document=parse(raw), dry_run=False)

    assert [report.total(o) for o in ("created", "updated", "deleted")] == [0, 0, 0]
    assert report.total("unchanged") == row_count()
    assert state() == before


def test_csv_export_parses_back_to_the_same_document(loaded):
    document = catalogue_document()

    assert parse_csv(dump_csv(document).encode()) == document
    assert parse_json(dump_json(document).encode()) == document


def test_export_runs_a_fixed_number_of_queries(loaded, django_assert_max_num_queries):
    why = "catalogue_document must prefetch, never query per category, skill or role"
    with django_assert_max_num_queries(EXPORT_QUERIES, info=why):
        small = catalogue_document()
    import_catalogue(
        document=generated_document(categories=8, skills=25, roles=12, requirements=40),
        dry_run=False,
    )

    with django_assert_max_num_queries(EXPORT_QUERIES, info=why):
        big = catalogue_document()

    assert len(big["roles"]) == len(small["roles"]) + 12
    assert len(big["categories"]) == len(small["categories"]) + 8


# Dry run ---------------------------------------------------------------------------


def test_dry_run_reports_what_would_change_and_writes_nothing(loaded):
    document = catalogue_document()
    requirement = document["roles"][0]["requirements"][0]
    requirement["weight"] = requirement["weight"] % 5 + 1
    document["roles"][0]["requirements"].pop()
    document["roles"][1]["name"]["en"] += " (renamed)"
    before = state()

    report = import_catalogue(document=document, dry_run=True)

    assert report.total("updated") == 2
    assert report.total("deleted") == 1
    assert report.total("created") == 0
    assert state() == before


def test_dry_run_into_an_empty_catalogue_counts_every_row(db, settings):
    raw = (settings.BASE_DIR / "fixtures" / "catalogue.json").read_bytes()

    report = import_catalogue(document=parse_json(raw), dry_run=True)

    assert report.total("created") > 500
    assert row_count() == 0


# Rejected files --------------------------------------------------------------------

# Rows 2 to 9 of a small valid file (row 1 is the header). It refers to the skill
# risk-management and the role TPM of the catalogue (see the `existing` fixture).
BASE = [
    {"type": "category", "code": "delivery", "name_fr": "Livraison", "name_en": "Delivery"},
    {
        "type": "skill",
        "code": "planning",
        "parent": "delivery",
        "name_fr": "Planification",
        "name_en": "Planning",
    },
    {"type": "level", "code": "planning", "level": "1", "text_fr": "Lit", "text_en": "Reads"},
    {
        "type": "action",
        "code": "planning",
        "level": "2",
        "kind": "training",
        "name_fr": "Se former",
        "name_en": "Get trained",
    },
    {"type": "role", "code": "NEW", "published": "true", "name_fr": "Neuf", "name_en": "New"},
    {"type": "requirement", "code": "NEW", "parent": "planning", "weight": "5", "target": "3"},
    {
        "type": "requirement",
        "code": "NEW",
        "parent": "risk-management",
        "weight": "2",
        "target": "1",
    },
    {
        "type": "career",
        "code": "NEW",
        "direction": "to",
        "link": "TPM",
        "name_fr": "TPM",
        "name_en": "TPM",
    },
]
APPENDED = len(BASE) + 2


def edited(index: int, **changes: str) -> list[dict]:
    return [row | changes if i == index else row for i, row in enumerate(BASE)]


def appended(row: dict) -> list[dict]:
    return [*BASE, row]


NAMES = {"name_fr": "Nom", "name_en": "Name"}
BAD_ROWS = {
    "unknown type": (appended({"type": "widget", "code": "x"}), APPENDED, "unknown type 'widget'"),
    "empty code": (appended({"type": "category", **NAMES}), APPENDED, "code is empty"),
    "category code": (
        appended({"type": "category", "code": "Bad Code", **NAMES}),
        APPENDED,
        "code 'Bad Code' may only hold lowercase letters, digits and single hyphens",
    ),
    "skill code": (
        appended({"type": "skill", "code": "Plan--B", "parent": "delivery", **NAMES}),
        APPENDED,
        "code 'Plan--B' may only hold lowercase letters",
    ),
    "role code": (
        appended({"type": "role", "code": "T P M", "published": "false", **NAMES}),
        APPENDED,
        "code 'T P M' may only hold letters, digits and single hyphens",
    ),
    "role code too long": (
        appended({"type": "role", "code": "R" * 31, "published": "false", **NAMES}),
        APPENDED,
        "is too long (31 characters, at most 30)",
    ),
    "level not a number": (edited(2, level="x"), 4, "level 'x' is not a whole number"),
    "level out of range": (edited(2, level="5"), 4, "level 5 is out of range (1-4)"),
    "action level missing": (edited(3, level=""), 5, "level is missing"),
    "weight out of range": (edited(5, weight="7"), 7, "weight 7 is out of range (1-5)"),
    "weight not a number": (edited(5, weight="3.5"), 7, "weight '3.5' is not a whole number"),
    "target out of range": (edited(6, target="0"), 8, "target 0 is out of range (1-4)"),
    "unknown kind": (edited(3, kind="webinar"), 5, "kind 'webinar' is not one of training"),
    "direction": (edited(7, direction="sideways"), 9, "direction 'sideways' must be from or to"),
    "published": (edited(4, published="maybe"), 6, "published 'maybe' must be true or false"),
    "requirement to an unknown skill": (
        edited(6, parent="nope"),
        8,
        "skill 'nope' (parent) is neither in the file nor in the catalogue",
    ),
    "career link to an unknown role": (
        edited(7, link="NOPE"),
        9,
        "role 'NOPE' (link) is neither in the file nor in the catalogue",
    ),
    "skill in an unknown category": (
        appended({"type": "skill", "code": "lost", "parent": "nowhere", **NAMES}),
        APPENDED,
        "category 'nowhere' (parent) is not in the file",
    ),
    "level of an unknown skill": (
        appended({"type": "level", "code": "ghost", "level": "1", "text_fr": "a", "text_en": "b"}),
        APPENDED,
        "skill 'ghost' is not in the file",
    ),
    "action of an unknown skill": (
        appended({"type": "action", "code": "ghost", "level": "1", "kind": "reading", **NAMES}),
        APPENDED,
        "skill 'ghost' is not in the file",
    ),
    "requirement of a role not in the file": (
        appended(
            {
                "type": "requirement",
                "code": "TPM",
                "parent": "planning",
                "weight": "1",
                "target": "1",
            }
        ),
        APPENDED,
        "role 'TPM' is not in the file",
    ),
    "duplicate category": (
        appended(BASE[0]),
        APPENDED,
        "duplicate category delivery (first at row 2)",
    ),
    "duplicate skill": (appended(BASE[1]), APPENDED, "duplicate skill planning (first at row 3)"),
    "duplicate level": (appended(BASE[2]), APPENDED, "duplicate level planning/1 (first at row 4)"),
    "duplicate role": (appended(BASE[4]), APPENDED, "duplicate role NEW (first at row 6)"),
    "duplicate requirement": (
        appended(BASE[5]),
        APPENDED,
        "duplicate requirement NEW/planning (first at row 7)",
    ),
    "published role without requirement": (
        appended({"type": "role", "code": "EMPTY", "published": "true", **NAMES}),
        APPENDED,
        "role EMPTY is published but has no requirement",
    ),
    "missing French name": (edited(4, name_fr=""), 6, "name in French (name_fr) is missing"),
    "missing English title": (edited(3, name_en=""), 5, "title in English (name_en) is missing"),
    "missing descriptor": (edited(2, text_en=""), 4, "descriptor in English (text_en) is missing"),
    "name too long": (
        edited(0, name_en="x" * 121),
        2,
        "name in English (name_en) is too long (121",
    ),
}


def test_the_base_file_imports(existing):
    report = import_csv(csv_bytes(BASE))

    assert report.total("created") == len(BASE)
    role = Role.objects.get(code="NEW")
    assert {r.skill.code for r in role.requirements.all()} == {"risk-management", "planning"}


@pytest.mark.parametrize("rows, row, message", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_csv_row_rejects_the_whole_file(existing, rows, row, message):
    before = state()

    with pytest.raises(ImportRejected) as rejected:
        import_csv(csv_bytes(rows))

    errors = [str(error) for error in rejected.value.errors]
    assert any(e.startswith(f"row {row}: ") and message in e for e in errors), errors
    assert state() == before


def test_every_error_of_a_file_is_reported(existing):
    rows = edited(5, weight="7")
    rows[6] = rows[6] | {"target": "9"}
    rows.append({"type": "widget", "code": "x"})

    with pytest.raises(ImportRejected) as rejected:
        import_csv(csv_bytes(rows))

    assert [str(e) for e in rejected.value.errors] == [
        "row 7: weight 7 is out of range (1-5)",
        "row 8: target 9 is out of range (1-4)",
        "row 10: unknown type 'widget' (expected one of: category, skill, level, action, "
        "role, requirement, career)",
    ]


def test_a_row_with_more_cells_than_the_header_is_rejected(existing):
    raw = csv_bytes(BASE).rstrip(b"\r\n") + b",stray\r\n"

    with pytest.raises(ImportRejected) as rejected:
        parse_csv(raw)

    assert [str(e) for e in rejected.value.errors] == [
        f"row 9: {len(COLUMNS) + 1} cells but the header has {len(COLUMNS)}"
    ]


def test_missing_columns_are_listed(existing):
    raw = csv_bytes(BASE).decode()
    lines = [line.split(",") for line in raw.splitlines()]
    kept = [i for i, name in enumerate(lines[0]) if name not in ("weight", "target")]
    raw = "\n".join(",".join(line[i] for i in kept) for line in lines)

    with pytest.raises(ImportRejected) as rejected:
        parse_csv(raw.encode())

    assert [str(e) for e in rejected.value.errors] == [
        "row 1: the column weight is missing: the requirement rows need it",
        "row 1: the column target is missing: the requirement rows need it",
    ]


def test_a_file_that_is_not_utf8_is_rejected(existing):
    raw = csv_bytes(edited(0, name_fr="Livraison é")).decode().encode("latin-1")
    before = state()

    with pytest.raises(ImportRejected) as rejected:
        import_csv(raw)

    (error,) = rejected.value.errors
    assert str(error).startswith("row 2: the file is not UTF-8 (byte 0xe9")
    assert "save it as CSV UTF-8" in str(error)
    assert state() == before


def test_csv_from_french_excel_is_accepted(existing):
    """Semicolons, a BOM, CRLF line ends and VRAI for true."""
    raw = codecs.BOM_UTF8 + csv_bytes(edited(4, published="VRAI"), delimiter=";")
    assert b";" in raw.splitlines()[0] and b"\r\n" in raw

    assert parse_csv(raw) == parse_csv(csv_bytes(BASE))


def test_bom_is_optional(existing):
    raw = csv_bytes(BASE)

    assert parse_csv(codecs.BOM_UTF8 + raw) == parse_csv(raw)


def test_row_order_is_display_order_and_parents_may_come_later(existing):
    rows = [BASE[3], BASE[1], BASE[0], *BASE[2:3], *BASE[4:]]
    extra = {"type": "action", "code": "planning", "level": "1", "kind": "reading", **NAMES}

    document = parse_csv(csv_bytes([extra, *rows]))

    (skill,) = document["categories"][0]["skills"]
    assert [a["kind"] for a in skill["actions"]] == ["reading", "training"]


def test_a_file_may_hold_only_roles_over_skills_of_the_catalogue(existing):
    other_roles = state()[0]["roles"]
    rows = [BASE[4], BASE[6]]

    report = import_csv(csv_bytes(rows))

    assert report.total("created") == 2
    assert Role.objects.get(code="NEW").requirements.get().skill.code == "risk-management"
    assert [r for r in catalogue_document()["roles"] if r["code"] != "NEW"] == other_roles


# JSON errors -----------------------------------------------------------------------


def base_document() -> dict:
    return parse_csv(csv_bytes(BASE))


def with_weight_7(document):
    document["roles"][0]["requirements"][0]["weight"] = 7


def with_level_5(document):
    document["categories"][0]["skills"][0]["levels"]["5"] = {"fr": "a", "en": "b"}


def with_sideways_career(document):
    document["roles"][0]["career"]["sideways"] = []


def with_skills_as_text(document):
    document["categories"][0]["skills"] = "planning"


def with_name_as_text(document):
    document["roles"][0]["name"] = "Neuf"


def with_published_as_maybe(document):
    document["roles"][0]["published"] = "maybe"


def with_duplicate_skill(document):
    category = document["categories"][0]
    document["categories"].append(category | {"code": "other"})


def with_unknown_skill(document):
    document["roles"][0]["requirements"].append({"skill": "nope", "weight": 1, "target": 1})


BAD_DOCUMENTS = [
    (with_weight_7, "roles[0].requirements[0]: weight 7 is out of range (1-5)"),
    (with_level_5, "categories[0].skills[0].levels.5: level 5 is out of range (1-4)"),
    (with_sideways_career, "roles[0].career: direction 'sideways' must be from or to"),
    (with_skills_as_text, "categories[0].skills: must be a list"),
    (with_name_as_text, "roles[0]: name must be an object"),
    (with_published_as_maybe, "roles[0]: published 'maybe' must be true or false"),
    (with_duplicate_skill, "categories[1].skills[0]: duplicate skill planning (first at"),
    (with_unknown_skill, "roles[0].requirements[2]: skill 'nope' (skill) is neither"),
]


@pytest.mark.parametrize(
    "edit, message", BAD_DOCUMENTS, ids=[edit.__name__ for edit, _ in BAD_DOCUMENTS]
)
def test_a_bad_json_document_is_rejected_whole_with_its_path(existing, edit, message):
    document = base_document()
    edit(document)
    raw = dump_json(document).encode()
    before = state()

    with pytest.raises(ImportRejected) as rejected:
        import_catalogue(document=parse_json(raw), dry_run=False)

    errors = [str(error) for error in rejected.value.errors]
    assert any(e.startswith(message) for e in errors), errors
    assert state() == before


def test_json_published_as_text_is_read_as_a_flag(existing):
    document = base_document()
    document["roles"][0]["published"] = "false"

    import_catalogue(document=document, dry_run=False)

    assert Role.objects.get(code="NEW").is_published is False


def test_invalid_json_names_the_line():
    with pytest.raises(ImportRejected) as rejected:
        parse_json(b'{\n  "roles": [\n}')

    assert str(rejected.value.errors[0]).startswith("line 3, column 1: not valid JSON")


def test_row_error_names_its_row():
    assert str(RowError(12, "weight 7 is out of range (1-5)")) == (
        "row 12: weight 7 is out of range (1-5)"
    )
    assert str(RowError("roles[2].requirements[5]", "bad")) == "roles[2].requirements[5]: bad"
    assert str(RowError(None, "the file is empty")) == "the file is empty"


# Large files -----------------------------------------------------------------------


def test_a_large_generated_csv_file_imports(db):
    document = generated_document(categories=10, skills=30, roles=10, requirements=40)
    raw = dump_csv(document).encode()
    rows = raw.count(b"\n") - 1
    assert rows > 3000

    report = import_csv(raw)

    assert report.total("created") == rows == row_count()
    assert catalogue_document() == document


def test_a_file_of_the_limit_is_read_whole():
    stream = io.BytesIO(b"x" * MAX_IMPORT_BYTES)

    assert read_limited(stream, MAX_IMPORT_BYTES) == b"x" * MAX_IMPORT_BYTES


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    stream = io.BytesIO(b"x" * (MAX_IMPORT_BYTES + 1))

    with (
        translation.override("fr"),
        pytest.raises(ImportRejected, match="Le fichier dépasse 5,0\xa0Mio"),
    ):
        read_limited(stream, MAX_IMPORT_BYTES + 1)
    assert stream.tell() == 0


def test_a_file_longer_than_it_said_is_read_up_to_the_limit_only():
    stream = io.BytesIO(b"x" * (3 * MAX_IMPORT_BYTES))

    with pytest.raises(ImportRejected, match="larger than"):
        read_limited(stream, 10)  # a file that grew, or a size that lied
    assert stream.tell() == MAX_IMPORT_BYTES + 1


# Commands --------------------------------------------------------------------------


def test_import_command_refuses_a_file_over_the_limit_without_reading_it(existing, tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as sparse:  # 64 MB that take no disk
        sparse.truncate(64 * 2**20)
    before = state()
    tracemalloc.start()
    try:
        with pytest.raises(CommandError, match="larger than 5.0\xa0MB, the most an import reads"):
            call_command("import_catalogue", str(path), stdout=StringIO(), stderr=StringIO())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 2**20
    assert state() == before


def test_export_command_writes_json_to_stdout(loaded):
    out = StringIO()

    call_command("export_catalogue", stdout=out)

    assert json.loads(out.getvalue()) == catalogue_document()


def test_export_command_takes_the_format_from_the_extension(loaded, tmp_path):
    path = tmp_path / "catalogue.csv"

    call_command("export_catalogue", output=str(path), stdout=StringIO())

    assert path.read_bytes().startswith(codecs.BOM_UTF8 + b'"type","code","parent",')
    assert parse_csv(path.read_bytes()) == catalogue_document()


def test_import_command_reimports_an_export_without_change(loaded, tmp_path):
    path = tmp_path / "catalogue.csv"
    call_command("export_catalogue", output=str(path), stdout=StringIO())
    before = state()
    out = StringIO()

    call_command("import_catalogue", str(path), stdout=out)

    assert state() == before
    assert "Progress: 0/" in out.getvalue()
    assert "Nothing changed: 0 created, 0 updated" in out.getvalue()


def test_import_command_dry_run_writes_nothing(db, settings):
    out = StringIO()

    call_command(
        "import_catalogue",
        str(settings.BASE_DIR / "fixtures" / "catalogue.json"),
        "--dry-run",
        stdout=out,
    )

    assert "Dry run, nothing was written" in out.getvalue()
    assert row_count() == 0


def test_import_command_prints_every_error_and_fails(existing, tmp_path):
    path = tmp_path / "bad.txt"
    rows = edited(5, weight="7")
    rows.append({"type": "widget", "code": "x"})
    path.write_bytes(csv_bytes(rows))
    err = StringIO()
    before = state()

    with pytest.raises(CommandError, match="2 error"):
        call_command(
            "import_catalogue", str(path), "--format", "csv", stdout=StringIO(), stderr=err
        )

    assert "row 7: weight 7 is out of range (1-5)" in err.getvalue()
    assert "row 10: unknown type 'widget'" in err.getvalue()
    assert state() == before


def test_an_empty_csv_file_is_rejected():
    with pytest.raises(ImportRejected, match="the file is empty"):
        parse_csv(b"")


def test_a_json_file_that_is_not_utf8_or_not_an_object_is_rejected():
    with pytest.raises(ImportRejected, match="not UTF-8 .*: save it as UTF-8"):
        parse_json('{"roles": "é"}'.encode("latin-1"))
    with pytest.raises(ImportRejected, match="the document must be an object"):
        parse_json(b"[]")


def test_a_csv_without_the_later_columns_still_imports(existing):
    raw = csv_bytes(BASE).decode("utf-8-sig").splitlines()
    header = raw[0].split(",")
    keep = [i for i, name in enumerate(header) if name not in ("core", "ladder", "rank")]
    trimmed = "\r\n".join(",".join(line.split(",")[i] for i in keep) for line in raw)

    document = parse_csv(trimmed.encode())

    assert document["roles"] and all(
        "core" not in r for role in document["roles"] for r in role["requirements"]
    )


def test_core_requirements_and_ladders_survive_a_round_trip(db):
    call_command("load_catalogue", stdout=StringIO())
    document = catalogue_document()

    ladders = {r["code"]: (r.get("ladder"), r.get("rank")) for r in document["roles"]}
    assert ladders["PMO-ANALYST"] == ("pmo", 1) and ladders["SENIOR-TPM"] == ("tpm", 2)
    assert ladders["CPT"] == (None, None)
    for role in document["roles"]:
        assert 1 <= sum(1 for r in role["requirements"] if r.get("core")) <= 15
    assert parse_csv(dump_csv(document).encode()) == document
