"""The import's bulk writes (careers/bulk.py): the rows and the history that
`bulk_create_with_history` writes, a number of queries that does not grow with the
file, and the one-regex control-character check."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from simple_history.models import HistoricalRecords

from careers import bulk
from careers.interchange import import_catalogue
from careers.models import (
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)
from careers.validators import has_control_characters, is_control

MODELS = [SkillCategory, Skill, SkillLevel, NextStepAction, Role, RoleRequirement, CareerStep]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"
)


def document(skills: int, *, suffix: str = "") -> dict:
    """Categories of 3 skills, each with 4 descriptors and 2 actions; 2 roles."""

    def text(fr: str, en: str) -> dict[str, str]:
        return {"fr": fr + suffix, "en": en + suffix}

    codes = [f"skill-{i}" for i in range(skills)]
    return {
        "categories": [
            {
                "code": f"category-{c}",
                "name": text(f"Catégorie {c}", f"Category {c}"),
                # Only in English: the original column falls back to it.
                "description": {"en": "English only"},
                "skills": [
                    {
                        "code": code,
                        "name": text(f"Compétence {code}", f"Skill {code}"),
                        "description": text("Ce qu'elle recouvre", "What it covers"),
                        "levels": {
                            str(lv): text(f"Niveau {lv}", f"Level {lv}") for lv in (1, 2, 3, 4)
                        },
                        "actions": [
                            {"level": lv, "kind": "reading", "title": text("Lire", "Read")}
                            for lv in (2, 4)
                        ],
                    }
                    for code in codes[c : c + 3]
                ],
            }
            for c in range(0, skills, 3)
        ],
        "roles": [
            {
                "code": "FIRST",
                "name": text("Premier", "First"),
                "ladder": "bench",
                "rank": 1,
                "requirements": [
                    {"skill": code, "weight": i % 5 + 1, "target": i % 4 + 1, "core": i < 2}
                    for i, code in enumerate(codes)
                ],
                "career": {
                    "from": [{"name": text("Stagiaire", "Intern")}],
                    "to": [{"name": text("Suivant", "Next"), "role": "LAST"}],
                },
            },
            {"code": "LAST", "published": False, "name": text("Dernier", "Last")},
        ],
    }


def queries_of_import(skills: int, *, again: bool = False, dry_run: bool = False) -> int:
    """The queries of an import into the catalogue as it is (into itself, `again`),
    rolled back afterwards."""
    with transaction.atomic():
        if again:
            import_catalogue(document=document(skills), dry_run=False)
        with CaptureQueriesContext(connection) as queries:
            import_catalogue(document=document(skills), dry_run=dry_run)
        transaction.set_rollback(True)
    return len(queries.captured_queries)


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_fresh_import_makes_as_many_queries_whatever_its_size(dry_run):
    # Elsewhere (SQLite), bulk_create_with_history writes batches of at most 999 values.
    assert queries_of_import(3, dry_run=dry_run) == queries_of_import(60, dry_run=dry_run)


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_reimport_makes_as_many_queries_whatever_its_size(dry_run):
    small = queries_of_import(3, again=True, dry_run=dry_run)
    assert queries_of_import(60, again=True, dry_run=dry_run) == small


def rows(model: type[models.Model]) -> list[dict]:
    """The model's rows as stored (a plain QuerySet: the original translated columns too)."""
    return list(models.QuerySet(model).order_by("pk").values())


def history_rows(model: type[models.Model]) -> list[dict]:
    return list(models.QuerySet(model.history.model).order_by("history_id").values())


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_new_row_has_the_creation_record_simple_history_writes(editor, language):
    request = RequestFactory().post("/admin/careers/role/import/")
    request.user = editor
    HistoricalRecords.context.request = request
    try:
        with translation.override(language):
            import_catalogue(document=document(7), dry_run=False)
    finally:
        del HistoricalRecords.context.request
    for model in MODELS:
        stored = rows(model)
        history = history_rows(model)
        assert stored and len(history) == len(stored), model
        tracked = [f.attname for f in model.history.model.tracked_fields]
        for row, record in zip(stored, history, strict=True):
            assert {name: record[name] for name in tracked} == row
            assert record["history_type"] == "+"
            assert record["history_user_id"] == editor.pk
            assert record["history_change_reason"] is None
            assert record["history_date"] is not None
    # The original column of a translated field holds the active language, or the other.
    skill = rows(Skill)[0]
    assert skill["name"] == skill[f"name_{language}"]
    assert {row["description"] for row in rows(SkillCategory)} == {"English only"}
    assert rows(SkillLevel)[0]["descriptor"] == ("Niveau 1" if language == "fr" else "Level 1")


@pytest.mark.django_db
def test_an_anonymous_requester_is_no_history_user():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    HistoricalRecords.context.request = request
    try:
        import_catalogue(document=document(1), dry_run=False)
    finally:
        del HistoricalRecords.context.request
    assert {row["history_user_id"] for row in history_rows(SkillLevel)} == {None}


def snapshot() -> dict[str, tuple[list[dict], list[dict]]]:
    """Every row and history row, ids replaced by their rank in their table (the two
    imports compared draw different ids) and history dates left out."""
    ranks = {}
    for model in MODELS:
        ids = set(models.QuerySet(model).values_list("pk", flat=True))
        ids |= set(models.QuerySet(model.history.model).values_list("id", flat=True))  # deleted
        ranks[model] = {pk: i for i, pk in enumerate(sorted(ids))}

    def ranked(model: type[models.Model], row: dict) -> dict:
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if field.attname == "id" and model in ranks:
                row["id"] = ranks[model][row["id"]]
            elif target in ranks and row[field.attname] is not None:
                row[field.attname] = ranks[target][row[field.attname]]
        return row

    found = {}
    for model in MODELS:
        history = model.history.model
        records = []
        for record in history_rows(model):
            del record["history_id"], record["history_date"]
            record = ranked(history, record)
            record["id"] = ranks[model][record["id"]]
            records.append(record)
        found[model.__name__] = ([ranked(model, row) for row in rows(model)], records)
    return found


@on_postgresql
@pytest.mark.django_db
def test_copy_writes_what_bulk_create_with_history_writes(monkeypatch):
    def imported() -> dict:
        with transaction.atomic():
            import_catalogue(document=document(8), dry_run=False)
            import_catalogue(document=document(5, suffix=" (2)"), dry_run=False)  # updates
            found = snapshot()
            transaction.set_rollback(True)
        return found

    copied = imported()
    monkeypatch.setattr(bulk, "_copies", lambda model: False)
    assert imported() == copied


def test_control_characters_are_found_by_one_regex_as_one_by_one():
    for code in range(0x110000):
        char = chr(code)
        if has_control_characters(f"a{char}b") != is_control(char):
            pytest.fail(f"U+{code:04X}")
