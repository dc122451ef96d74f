"""Catalogue import and export, as the nested JSON document or as one flat CSV file.

JSON is the document `catalogue_load` reads (README, "The role catalogue"); the export
also gives every role its `"published"` flag.

CSV is one file with one row per record. The header row names the columns, in any
order (other columns are ignored); a file needs `type` and the columns its types of
rows use (NEEDED_COLUMNS):

    type,code,parent,level,weight,target,kind,direction,link,published,
    name_fr,name_en,text_fr,text_en,core,ladder,rank,url,provider,duration_fr,
    duration_en,cost,price,language,indicators_fr,indicators_en

    type         code        other columns                           name_*   text_*
    category     category                                            name     description
    skill        skill       parent = category code                  name     description
    level        skill code  level 1-4                                        descriptor
    action       skill code  level 1-4 (the level it helps reach),   title    detail
                             kind (training, certification, ...)
    role         role        published true/false (empty: true),    name     summary
                             ladder (optional code) and rank 1-99
    requirement  role code   parent = skill code, weight 1-5,
                             target 1-4, core true/false (empty:
                             false: not in the quick assessment)
    career       role code   direction from/to, link = role code     name
                             of the catalogue or empty

Rows are numbered as a spreadsheet shows them (the header is row 1). The order of the
rows is the display order: of categories, of roles, of the skills of a category, of the
actions of a skill, of the career steps of a role. A level, action, requirement or
career row needs its skill or role row in the same file; a requirement may name any
skill, and a career step any role, of the file or of the catalogue already loaded. The
file is UTF-8 (with or without BOM), separated by commas or semicolons (read from the
header row). The export writes a text that a spreadsheet would run (`=...`, `-1+1`) with
a quote in front, and the import takes that quote off again (careers/csvcells.py).

An import checks the whole file before writing anything and rejects it with every
error it found, each naming its row (CSV) or path and field (JSON, e.g.
roles[2].requirements[5] and its `skill`), in the active language. Its dry run names
the rows it would create, update and delete, and the file's codes that the catalogue
holds under other names; a prefix imports the file's codes beside them instead.
"""

import csv
import functools
import hashlib
import io
import json
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import serialise
from .csvcells import csv_text, csv_writer
from .models import (
    LANGUAGE_TAG,
    MAX_INDICATORS,
    WEB_LINK_VALIDATOR,
    CareerStep,
    NextStepAction,
    PendingImport,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
    indicator_lines,
)
from .services import LANGUAGES, LISTED, CatalogueError, LoadReport, catalogue_load
from .services import RESOURCE_FIELDS as RESOURCE_COLUMNS
from .validators import has_control_characters

Document = dict[str, Any]
Progress = Callable[[int, int], None]

COLUMNS = [
    "type",
    "code",
    "parent",
    "level",
    "weight",
    "target",
    "kind",
    "direction",
    "link",
    "published",
    "name_fr",
    "name_en",
    "text_fr",
    "text_en",
    "core",
    "ladder",
    "rank",
    "url",
    "provider",
    "duration_fr",
    "duration_en",
    "cost",
    "price",
    "language",
    "indicators_fr",
    "indicators_en",
]
# Columns holding whole numbers, written as numbers (careers/csvcells.py).
NUMBER_COLUMNS = {"level", "weight", "target", "rank"}
COSTS = NextStepAction.Cost.values
TYPES = ["category", "skill", "level", "action", "role", "requirement", "career"]
# The same rules as the database constraints on the codes (careers/models.py).
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
ROLE_CODE = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")
TRUE = {"true", "1", "yes", "oui", "vrai"}
FALSE = {"false", "0", "no", "non", "faux"}
PROGRESS_EVERY = 500
# The largest file an import reads, from the admin or the command line (README, "Importing
# and exporting the catalogue"). A dry run of a file at the limit peaks at about 210 MB
# of memory for CSV and 230 MB for JSON (the command's --dry-run, on PostgreSQL).
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# How long a previewed upload waits for its confirm, and how many one person may keep
# (one per browser tab, say).
PENDING_IMPORT_LIFETIME = timedelta(hours=1)
PENDING_IMPORTS_PER_PERSON = 5
FORMATS = ("json", "csv")
ACTION_KINDS = NextStepAction.Kind.values
EMPTY_DOCUMENT = gettext_noop("The file holds no category and no role: there is nothing to import.")
# The longest prefix an import puts in front of the file's codes (clean_prefix).
PREFIX_LENGTH = 20
MUST_BE_AN_OBJECT = gettext_noop("must be an object: %(shape)s")
CAREER_SHAPE = '{"from": [...], "to": [...]}'
TEXT_SHAPE = '{"fr": "...", "en": "..."}'
NOT_A_DOCUMENT = gettext_noop(
    'the document must be an object: {"categories": [...], "roles": [...]}'
)


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file: a CSV row number, a JSON path, or None."""

    row: int | str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("%(where)s: %(message)s") % {"where": _where(self.row), "message": self.message}


class ImportRejected(Exception):
    """The file was not imported; `errors` lists every problem found in it."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class _Record:
    """One CSV row, or its equivalent in a JSON document: every column, as text."""

    where: int | str
    values: dict[str, str]


EMPTY_RECORD = dict.fromkeys(COLUMNS, "")


@functools.cache
def _text_columns(column: str) -> tuple[tuple[str, str], ...]:
    """Each language beside its column: ("fr", "name_fr"), ("en", "name_en")."""
    return tuple((lang, f"{column}_{lang}") for lang in LANGUAGES)


def _where(row: int | str) -> str:
    return _("row %(row)s") % {"row": row} if isinstance(row, int) else row


# Export ----------------------------------------------------------------------------


def catalogue_document() -> Document:
    """The whole catalogue, unpublished roles included, in display order (7 queries)."""
    categories = SkillCategory.objects.order_by("order", "code").prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("order", "code")),
        Prefetch("skills__levels", queryset=SkillLevel.objects.order_by("level")),
        Prefetch("skills__actions", queryset=NextStepAction.objects.order_by("order", "pk")),
    )
    roles = Role.objects.order_by("order", "code").prefetch_related(
        Prefetch(
            "requirements",
            queryset=RoleRequirement.objects.select_related("skill").order_by(
                "skill__category__order", "skill__category__code", "skill__order", "skill__code"
            ),
        ),
        Prefetch(
            "career_steps",
            queryset=CareerStep.objects.select_related("linked_role").order_by("order", "pk"),
        ),
    )
    return {
        "categories": [
            {
                "code": category.code,
                "name": serialise.texts(category, "name"),
                "description": serialise.texts(category, "description"),
                "skills": [
                    {
                        "code": skill.code,
                        "name": serialise.texts(skill, "name"),
                        "description": serialise.texts(skill, "description"),
                        "levels": serialise.descriptors(skill),
                        **({"indicators": found} if (found := serialise.indicators(skill)) else {}),
                        "actions": [serialise.action(action) for action in skill.actions.all()],
                    }
                    for skill in category.skills.all()
                ],
            }
            for category in categories
        ],
        "roles": [
            {
                "code": role.code,
                "published": role.is_published,
                **({"ladder": role.ladder, "rank": role.ladder_rank} if role.ladder else {}),
                "name": serialise.texts(role, "name"),
                "summary": serialise.texts(role, "summary"),
                "requirements": [
                    {
                        "skill": req.skill.code,
                        "weight": req.weight,
                        "target": req.target,
                        **({"core": True} if req.is_core else {}),
                    }
                    for req in role.requirements.all()
                ],
                "career": serialise.career(role),
            }
            for role in roles
        ],
    }


def dump_json(document: Document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def dump_csv(document: Document, *, delimiter: str = ",") -> str:
    """The document as CSV, starting with a BOM so that Excel reads it as UTF-8.

    French Excel expects `delimiter=";"`.
    """
    records, errors = _flatten(document)
    if errors:
        raise ImportRejected(errors)
    out = io.StringIO()
    writer = csv_writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([_cell(record.values, column) for column in COLUMNS] for record in records)
    return "\ufeff" + out.getvalue()


def _cell(values: dict[str, str], column: str) -> str | int:
    """A record's value as the file holds it: the figures as numbers, the rest as text."""
    value = values[column]
    return int(value) if column in NUMBER_COLUMNS and value.isascii() and value.isdigit() else value


# Import ----------------------------------------------------------------------------


def too_large() -> ImportRejected:
    """The refusal of a file over MAX_IMPORT_BYTES, naming the limit."""
    message = _("The file is larger than %(limit)s, the most an import reads.") % {
        "limit": filesizeformat(MAX_IMPORT_BYTES)
    }
    return ImportRejected([RowError(None, message)])


def read_limited(stream: BinaryIO, size: int | None = None) -> bytes:
    """A file's bytes, refused with `too_large` without reading more than the limit.

    `size` is what the file says it holds (an upload's `.size`, `os.stat`): over the
    limit, nothing is read. Whatever it said, at most MAX_IMPORT_BYTES + 1 bytes are.
    """
    if size is not None and size > MAX_IMPORT_BYTES:
        raise too_large()
    raw = stream.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise too_large()
    return raw


def format_of(name: str) -> str | None:
    """The format a file name ends in: "json" or "csv", else None."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension if extension in FORMATS else None


def parse(raw: bytes, fmt: str) -> Document:
    """Read a file of the given format ("json" or "csv") as a document."""
    return parse_csv(raw) if fmt == "csv" else parse_json(raw)


def _decode(raw: bytes, save_as: str, *, json_file: bool = False) -> str:
    """The file as text; a CSV's error names its row, a JSON's its line and byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = _(
            "the file is not UTF-8 (byte %(byte)s cannot be read): save it as %(save_as)s"
        ) % {"byte": f"{raw[exc.start]:#x}", "save_as": save_as}
        if json_file:
            where: int | str = _("line %(line)s, byte %(offset)s") % {
                "line": line,
                "offset": exc.start,
            }
        else:
            where = line
        raise ImportRejected([RowError(where, message)]) from None


def parse_json(raw: bytes) -> Document:
    """Read a JSON document. Its content is checked by `import_catalogue`."""
    text = _decode(raw, "UTF-8", json_file=True)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        where = _("line %(line)s, column %(column)s") % {"line": exc.lineno, "column": exc.colno}
        if exc.pos >= len(text.rstrip()):  # the error is at the very end
            message = _("the file seems cut off: it ends before the JSON does (%(error)s)")
        else:
            message = _("not valid JSON: %(error)s")
        raise ImportRejected([RowError(where, message % {"error": exc.msg})]) from None
    except (ValueError, RecursionError):  # a number of 4300+ digits, or nesting too deep
        message = _("not valid JSON: a number is too long or the nesting too deep")
        raise ImportRejected([RowError(None, message)]) from None
    if not isinstance(document, dict):
        raise ImportRejected([RowError(None, _(NOT_A_DOCUMENT))])
    return document


def parse_csv(raw: bytes) -> Document:
    """Read and check a CSV file (see the module docstring) and return it as a document.

    The rows are checked here, against the catalogue too, so that errors name them.
    """
    text = _decode(raw, _("CSV UTF-8 (in Excel: Save As, CSV UTF-8)"))
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as exc:
        raise ImportRejected(
            [RowError(1, _("the CSV cannot be read: %(error)s") % {"error": exc})]
        ) from None
    if not header:
        raise ImportRejected([RowError(None, _("the file is empty"))])
    if "type" not in header:
        raise ImportRejected([RowError(1, _("the column type is missing: it is always needed"))])
    others = set(header) - set(COLUMNS)
    records: list[_Record] = []
    errors: list[RowError] = []
    try:
        for row, cells in enumerate(reader, start=2):
            cells = [cell.strip() for cell in cells]
            if "'" in "".join(cells):  # a quote before a risky character, taken off
                cells = [csv_text(cell) for cell in cells]
            if not any(cells):
                continue
            if any(cells[len(header) :]):
                errors.append(
                    RowError(
                        row,
                        _("%(cells)s cells but the header has %(header)s")
                        % {"cells": len(cells), "header": len(header)},
                    )
                )
            values = dict(zip(header, cells, strict=False))
            values["type"] = values.get("type", "").lower()
            if others:  # columns the import ignores
                values = {column: values.get(column, "") for column in COLUMNS}
            records.append(_Record(row, EMPTY_RECORD | values))
    except csv.Error as exc:
        where = _("line %(line)s") % {"line": reader.line_num}
        errors.append(RowError(where, _("the CSV cannot be read: %(error)s") % {"error": exc}))
    missing = _missing_columns(header, {record.values["type"] for record in records})
    if missing:
        raise ImportRejected(missing)
    errors += _validate(records)
    if errors:
        raise ImportRejected(errors)
    return _nest(records)


# The columns each type of row needs, beside `type` (README, "Importing and exporting").
NEEDED_COLUMNS = {
    "category": ("code", "name_fr", "name_en"),
    "skill": ("code", "parent", "name_fr", "name_en"),
    "level": ("code", "level", "text_fr", "text_en"),
    "action": ("code", "level", "kind", "name_fr", "name_en"),
    "role": ("code", "name_fr", "name_en"),
    "requirement": ("code", "parent", "weight", "target"),
    "career": ("code", "direction", "name_fr", "name_en"),
}


def _missing_columns(header: list[str], types: set[str]) -> list[RowError]:
    """The columns the file's types of rows need and its header lacks, one error each."""
    return [
        RowError(
            1,
            _("the column %(column)s is missing: the %(type)s rows need it")
            % {"column": column, "type": type_},
        )
        for type_ in TYPES
        if type_ in types
        for column in NEEDED_COLUMNS[type_]
        if column not in header
    ]


def import_catalogue(
    *, document: Document, dry_run: bool, prefix: str = "", progress: Progress | None = None
) -> LoadReport:
    """Check the whole document, then load it with `catalogue_load` in one transaction.

    Nothing is written if any check fails (ImportRejected lists them all). A dry run
    loads and rolls back, so its report says what an import would change, and names the
    file's codes that the catalogue holds under other names (`report.collisions`).
    `prefix` (see `clean_prefix`) goes in front of the file's codes. A file with nothing
    to import is refused. `progress(done, total)` counts twice the records: the first
    half while checking, the second while loading (catalogue_load reports after each
    skill and role).
    """
    records, errors = _flatten(document)
    if not records and not errors:
        raise ImportRejected([RowError(None, _(EMPTY_DOCUMENT))])
    if prefix:
        _prefix(records, clean_prefix(prefix))
    total = 2 * len(records)
    tick = progress or (lambda _done, _total: None)
    tick(0, total)
    with transaction.atomic():
        errors += _validate(records, progress=lambda done: tick(done, total))
        if errors:
            raise ImportRejected(errors)
        tick(len(records), total)
        collisions = _collisions(records)
        try:
            loaded = len(records)
            data = _nest(records)
            del records  # the load needs the nested document only (at the limit: 60 MB)
            report = catalogue_load(
                data=data,
                progress=lambda done, items: tick(loaded + loaded * done // max(items, 1), total),
            )
        except (CatalogueError, ValidationError) as exc:
            raise ImportRejected([RowError(None, str(exc))]) from exc
        report.collisions = collisions
        if dry_run:
            transaction.set_rollback(True)
    tick(total, total)
    return report


def clean_prefix(prefix: str) -> str:
    """A prefix for the file's codes, ending in one hyphen: "acme" and "acme-" give "acme-".

    Lowercase letters, digits and single hyphens, at most PREFIX_LENGTH characters; else
    ImportRejected."""
    prefix = prefix.strip()
    if not (SLUG.fullmatch(prefix.removesuffix("-")) and len(prefix) <= PREFIX_LENGTH):
        message = _(
            "The prefix %(prefix)s may only hold lowercase letters, digits and single hyphens "
            "(at most %(length)s characters), e.g. acme-."
        ) % {"prefix": repr(prefix[:40]), "length": PREFIX_LENGTH}
        raise ImportRejected([RowError(None, message)])
    return prefix.removesuffix("-") + "-"


def _prefix(records: list[_Record], prefix: str) -> None:
    """Put `prefix` in front of the records' category, skill and role codes and of the
    references to them; a reference to a code the file does not hold stays as it is."""
    in_file = _codes(records)

    def moved(type_: str, code: str) -> str:
        return prefix + code if code and code in in_file[type_] else code

    owner = {"category": "category", "skill": "skill", "level": "skill", "action": "skill"}
    for v in (record.values for record in records):
        v["code"] = moved(owner.get(v["type"], "role"), v["code"])
        if v["type"] == "skill":
            v["parent"] = moved("category", v["parent"])
        elif v["type"] == "requirement":
            v["parent"] = moved("skill", v["parent"])
        elif v["type"] == "career":
            v["link"] = moved("role", v["link"])


def _codes(records: list[_Record]) -> dict[str, set[str]]:
    return {
        type_: {r.values["code"] for r in records if r.values["type"] == type_}
        for type_ in ("category", "skill", "role")
    }


def _collisions(records: list[_Record]) -> list[str]:
    """The file's categories, skills and roles whose code the catalogue holds under
    another name (either language) or, for a skill, in another category: the import
    would rename or move them. One line each (the first LISTED), then how many more."""
    stored = {
        "category": SkillCategory.objects.values_list("code", "name_fr", "name_en"),
        "skill": Skill.objects.values_list("code", "name_fr", "name_en", "category__code"),
        "role": Role.objects.values_list("code", "name_fr", "name_en"),
    }
    labels = {"category": _("Category"), "skill": _("Skill"), "role": _("Role")}
    lines: list[str] = []
    found = 0
    for type_, rows in stored.items():
        wanted = {
            r.values["code"]: (r.values["name_fr"], r.values["name_en"])
            + ((r.values["parent"],) if type_ == "skill" else ())
            for r in records
            if r.values["type"] == type_
        }
        for code, *old in rows:
            new = wanted.get(code)
            if new is None or tuple(old) == new:
                continue
            found += 1
            if len(lines) < LISTED:
                lines.append(
                    _("%(type)s %(code)s: %(catalogue)s in the catalogue, %(file)s in the file")
                    % {
                        "type": labels[type_],
                        "code": code,
                        "catalogue": _described(*old),
                        "file": _described(*new),
                    }
                )
    if found > len(lines):
        lines.append(_("… and %(n)s more.") % {"n": found - len(lines)})
    return lines


def _described(name_fr: str, name_en: str, category: str = "") -> str:
    """« Gestion des risques » / « Risk management » (category delivery)."""
    text = f"« {name_fr} » / « {name_en} »"
    return text + " " + (_("(category %(code)s)") % {"code": category}) if category else text


def _flatten(document: Any) -> tuple[list[_Record], list[RowError]]:
    """The document as CSV records located by their JSON path, and its shape errors."""
    if not isinstance(document, dict):
        return [], [RowError(None, _(NOT_A_DOCUMENT))]
    flat = _Flattener()
    for path, category in flat.items("", document, "categories"):
        flat.category(path, category)
    for path, role in flat.items("", document, "roles"):
        flat.role(path, role)
    return flat.records, flat.errors


class _Flattener:
    """Collects a document's records, in document order, and the errors in its shape.

    A node of the wrong shape is reported at its path and read as empty, so that one
    pass finds every error."""

    def __init__(self) -> None:
        self.records: list[_Record] = []
        self.errors: list[RowError] = []

    # One method per kind of record, a parent adding its children after itself.

    def category(self, path: str, category: dict) -> None:
        code = self.scalar(path, category, "code")
        self.add(
            path,
            "category",
            code=code,
            **self.texts(path, category.get("name"), "name", "name"),
            **self.texts(path, category.get("description"), "description", "text"),
        )
        for s_path, skill in self.items(path, category, "skills"):
            self.skill(s_path, skill, code)

    def skill(self, path: str, skill: dict, category_code: str) -> None:
        code = self.scalar(path, skill, "code")
        self.add(
            path,
            "skill",
            code=code,
            parent=category_code,
            **self.texts(path, skill.get("name"), "name", "name"),
            **self.texts(path, skill.get("description"), "description", "text"),
        )
        self.levels(path, skill, code)
        self.actions(path, skill, code)

    def levels(self, path: str, skill: dict, code: str) -> None:
        levels = self.mapping(path, skill, "levels", '{"1": ..., "4": ...}')
        indicators = self.mapping(path, skill, "indicators", '{"3": {"fr": [...], "en": [...]}}')
        for level, descriptor in levels.items():
            l_path = f"{path}.levels.{level}"
            self.add(
                l_path,
                "level",
                code=code,
                level=level,
                **self.texts(l_path, descriptor, "descriptor", "text"),
                **self.lines(f"{path}.indicators.{level}", indicators.get(level), "indicators"),
            )
        for level in indicators.keys() - levels.keys():
            self.errors.append(
                RowError(
                    f"{path}.indicators.{level}",
                    _("level %(level)s has no descriptor in levels") % {"level": level},
                )
            )

    def actions(self, path: str, skill: dict, code: str) -> None:
        for a_path, action in self.items(path, skill, "actions"):
            self.add(
                a_path,
                "action",
                code=code,
                level=self.scalar(a_path, action, "level"),
                kind=self.scalar(a_path, action, "kind"),
                **self.texts(a_path, action.get("title"), "title", "name"),
                **self.texts(a_path, action.get("detail"), "detail", "text"),
                **{name: self.scalar(a_path, action, name) for name in RESOURCE_COLUMNS},
                **self.texts(a_path, action.get("duration"), "duration", "duration"),
            )

    def role(self, path: str, role: dict) -> None:
        code = self.scalar(path, role, "code")
        self.add(
            path,
            "role",
            code=code,
            published=self.scalar(path, role, "published"),
            ladder=self.scalar(path, role, "ladder"),
            rank=self.scalar(path, role, "rank"),
            **self.texts(path, role.get("name"), "name", "name"),
            **self.texts(path, role.get("summary"), "summary", "text"),
        )
        self.requirements(path, role, code)
        self.career(path, role, code)

    def requirements(self, path: str, role: dict, code: str) -> None:
        for q_path, requirement in self.items(path, role, "requirements"):
            self.add(
                q_path,
                "requirement",
                code=code,
                parent=self.scalar(q_path, requirement, "skill"),
                weight=self.scalar(q_path, requirement, "weight"),
                target=self.scalar(q_path, requirement, "target"),
                core=self.scalar(q_path, requirement, "core"),
            )

    def career(self, path: str, role: dict, code: str) -> None:
        career = role.get("career") or {}
        if not isinstance(career, dict):
            self.errors.append(
                RowError(f"{path}.career", _(MUST_BE_AN_OBJECT) % {"shape": CAREER_SHAPE})
            )
            career = {}
        for direction in career:
            if direction not in ("from", "to"):
                self.errors.append(
                    RowError(
                        f"{path}.career",
                        _("direction %(value)s must be from or to") % {"value": repr(direction)},
                    )
                )
        for direction in ("from", "to"):
            for p_path, step in self.items(f"{path}.career", career, direction):
                self.add(
                    p_path,
                    "career",
                    code=code,
                    direction=direction,
                    link=self.scalar(p_path, step, "role"),
                    **self.texts(p_path, step.get("name"), "name", "name"),
                )

    # Reading one node: a list of objects, a scalar or a text in both languages.

    def items(self, where: str, node: dict, key: str) -> list[tuple[str, dict]]:
        path = f"{where}.{key}" if where else key
        value = node.get(key) or []
        if not isinstance(value, list):
            self.errors.append(RowError(path, _("must be a list")))
            return []
        found = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                found.append((f"{path}[{i}]", item))
            else:
                self.errors.append(RowError(f"{path}[{i}]", _("must be an object")))
        return found

    def mapping(self, where: str, node: dict, key: str, shape: str) -> dict:
        value = node.get(key) or {}
        if isinstance(value, dict):
            return value
        self.errors.append(RowError(f"{where}.{key}", _(MUST_BE_AN_OBJECT) % {"shape": shape}))
        return {}

    def lines(self, where: str, value: Any, column: str) -> dict[str, str]:
        """A list of lines in each language, as one text per language (a line each)."""
        columns = _text_columns(column)
        if not value:
            return {name: "" for _lang, name in columns}
        if isinstance(value, dict):
            found = {}
            for lang, name in columns:
                lines = value.get(lang) or []
                if not (isinstance(lines, list) and all(isinstance(x, str) for x in lines)):
                    break
                found[name] = "\n".join(line.strip() for line in lines if line.strip())
            else:
                return found
        shape = '{"fr": ["..."], "en": ["..."]}'
        self.errors.append(RowError(where, _(MUST_BE_AN_OBJECT) % {"shape": shape}))
        return {name: "" for _lang, name in columns}

    def scalar(self, where: str, node: dict, key: str) -> str:
        value = node.get(key)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value).strip()
        if value is not None:
            self.errors.append(
                RowError(where, _("%(field)s must be a number or a text") % {"field": key})
            )
        return ""

    def texts(self, where: str, value: Any, key: str, column: str) -> dict[str, str]:
        columns = _text_columns(column)
        if not value:
            return {name: "" for _lang, name in columns}
        if isinstance(value, dict):
            found = {}
            for lang, name in columns:
                text = value.get(lang) or ""
                if not isinstance(text, str):
                    break
                found[name] = text.strip()
            else:
                return found
        message = _("%(field)s must be an object: %(shape)s")
        self.errors.append(RowError(where, message % {"field": key, "shape": TEXT_SHAPE}))
        return {name: "" for _lang, name in columns}

    def add(self, where: str, type_: str, **values: str) -> None:
        self.records.append(_Record(where, EMPTY_RECORD | values | {"type": type_}))


def _validate(
    records: list[_Record], progress: Callable[[int], None] | None = None
) -> list[RowError]:
    """Every problem in the records, against the records themselves and the catalogue."""
    in_file = _codes(records)
    known_skills = in_file["skill"] | set(Skill.objects.values_list("code", flat=True))
    known_roles = in_file["role"] | set(Role.objects.values_list("code", flat=True))
    requirements = Counter(r.values["code"] for r in records if r.values["type"] == "requirement")
    errors: list[RowError] = []
    first_seen: dict[tuple[str, ...], int | str] = {}
    for done, record in enumerate(records, start=1):
        v = record.values
        field = functools.partial(_field, v["type"], isinstance(record.where, str))
        problems = _problems(v, field, in_file, known_skills, known_roles)
        # PostgreSQL cannot store NUL characters; nobody types them on purpose.
        if "\x00" in "".join(v.values()):
            problems += [
                _("%(field)s holds a NUL character") % {"field": field(column)}
                for column in COLUMNS
                if "\x00" in v[column]
            ]
        key = None if problems else _identity(v)
        if key:
            if key in first_seen:
                problems.append(
                    _("duplicate %(type)s %(key)s (first at %(first)s)")
                    % {
                        "type": v["type"],
                        "key": "/".join(key[1:]),
                        "first": _where(first_seen[key]),
                    }
                )
            first_seen.setdefault(key, record.where)
        if (
            v["type"] == "role"
            and not problems
            and _flag(v["published"])
            and not requirements[v["code"]]
        ):
            problems.append(
                _("role %(code)s is published but has no requirement") % {"code": v["code"]}
            )
        errors += [RowError(record.where, problem) for problem in problems]
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    return errors


# What a JSON document calls a column, where the names differ, by type of record.
JSON_TEXTS = {"text": {"role": "summary", "level": "descriptor", "action": "detail"}}
JSON_TEXTS["name"] = {"action": "title"}
JSON_FIELDS = {"parent": {"skill": "category", "requirement": "skill"}, "link": {"career": "role"}}


def _field(type_: str, json_file: bool, column: str) -> str:
    """A column as the file names it: name_fr in a CSV is name.fr in JSON (title.fr for a
    next step), text_fr is description.fr, summary.fr, descriptor.fr or detail.fr, and so
    on (README, "Importing and exporting the catalogue")."""
    if not json_file:
        return column
    base, _sep, lang = column.rpartition("_")
    if base and lang in LANGUAGES:
        default = "description" if base == "text" else base
        return f"{JSON_TEXTS.get(base, {}).get(type_, default)}.{lang}"
    return JSON_FIELDS.get(column, {}).get(type_, column)


def _identity(v: dict[str, str]) -> tuple[str, ...] | None:
    """What makes a record unique in a file (actions and career steps are positional)."""
    if v["type"] in ("category", "skill", "role"):
        return (v["type"], v["code"])
    if v["type"] == "level":
        return ("level", v["code"], str(int(v["level"])))
    if v["type"] == "requirement":
        return ("requirement", v["code"], v["parent"])
    return None


Field = Callable[[str], str]


def _problems(
    v: dict[str, str],
    field: Field,
    in_file: dict[str, set[str]],
    known_skills: set[str],
    known_roles: set[str],
) -> list[str]:
    type_, code = v["type"], v["code"]
    if type_ not in TYPES:
        return [
            _("unknown type %(type)s (expected one of: %(types)s)")
            % {"type": repr(type_), "types": ", ".join(TYPES)}
        ]
    if not code:
        return [_("code is empty")]
    if type_ == "category":
        return _code(SkillCategory, code, SLUG) + _names(v, field, "name", "name", SkillCategory)
    if type_ == "skill":
        problems = _code(Skill, code, SLUG) + _names(v, field, "name", "name", Skill)
        if not v["parent"]:
            problems.append(
                _("%(field)s is empty: give the code of the skill's category")
                % {"field": field("parent")}
            )
        elif v["parent"] not in in_file["category"]:
            problems.append(
                _("category %(code)s (%(field)s) is not in the file")
                % {"code": repr(v["parent"]), "field": field("parent")}
            )
        return problems
    if type_ == "role":
        problems = _code(Role, code, ROLE_CODE) + _names(v, field, "name", "name", Role)
        if _flag(v["published"]) is None:
            problems.append(_(_BOOLEAN) % {"field": "published", "value": repr(v["published"])})
        if v["ladder"] and not SLUG.fullmatch(v["ladder"]):
            problems.append(
                _("ladder %(value)s must be a lowercase code, e.g. pmo")
                % {"value": repr(v["ladder"])}
            )
        if v["ladder"]:
            problems += _number(v, "rank", 1, 99)
        return problems
    if type_ in ("level", "action"):
        problems = [] if code in in_file["skill"] else [_not_in_file("skill", code)]
        problems += _number(v, "level", 1, 4)
        if type_ == "level":
            return problems + _names(v, field, "descriptor", "text") + _indicators(v, field)
        if v["kind"] not in ACTION_KINDS:
            problems.append(
                _("kind %(value)s is not one of %(kinds)s")
                % {"value": repr(v["kind"]), "kinds": ", ".join(ACTION_KINDS)}
            )
        problems += _names(v, field, "title", "name", NextStepAction, "title")
        return problems + _resource(v, field)
    problems = [] if code in in_file["role"] else [_not_in_file("role", code)]
    if type_ == "requirement":
        if not v["parent"]:
            problems.append(
                _("%(field)s is empty: give the code of the required skill")
                % {"field": field("parent")}
            )
        elif v["parent"] not in known_skills:
            problems.append(_unknown("skill", v["parent"], field("parent")))
        if v["core"] and _flag(v["core"]) is None:
            problems.append(_(_BOOLEAN) % {"field": "core", "value": repr(v["core"])})
        return problems + _number(v, "weight", 1, 5) + _number(v, "target", 1, 4)
    if v["direction"] not in ("from", "to"):
        problems.append(
            _("direction %(value)s must be from or to") % {"value": repr(v["direction"])}
        )
    if v["link"] and v["link"] not in known_roles:
        problems.append(_unknown("role", v["link"], field("link")))
    return problems + _names(v, field, "name", "name", CareerStep)


_BOOLEAN = gettext_noop("%(field)s %(value)s must be true or false")


def _not_in_file(type_: str, code: str) -> str:
    if type_ == "skill":
        return _("skill %(code)s is not in the file") % {"code": repr(code)}
    return _("role %(code)s is not in the file") % {"code": repr(code)}


def _unknown(type_: str, code: str, field: str) -> str:
    if type_ == "skill":
        message = _("skill %(code)s (%(field)s) is neither in the file nor in the catalogue")
    else:
        message = _("role %(code)s (%(field)s) is neither in the file nor in the catalogue")
    return message % {"code": repr(code), "field": field}


def _language(lang: str) -> str:
    """The language's name inside a sentence: "in French", "en français"."""
    return _("in French") if lang == "fr" else _("in English")


def _indicators(v: dict[str, str], field: Field) -> list[str]:
    return [
        _("indicators %(language)s (%(field)s): %(count)s lines, at most %(most)s")
        % {
            "language": _language(lang),
            "field": field(name),
            "count": count,
            "most": MAX_INDICATORS,
        }
        for lang, name in _text_columns("indicators")
        if (count := len(indicator_lines(v[name]))) > MAX_INDICATORS
    ]


def _resource(v: dict[str, str], field: Field) -> list[str]:
    """A next step's learning resource: the same rules as the model's fields."""
    problems = []
    if url := v["url"]:
        try:
            WEB_LINK_VALIDATOR(url)
        except ValidationError:
            problems.append(
                _("url %(value)s must be a web address starting with http(s)://")
                % {"value": repr(url[:80])}
            )
        problems += _short(v, "url", "url")
    problems += _short(v, "provider", "provider")
    for _lang, name in _text_columns("duration"):
        problems += _short(v, name, field(name), "duration")
    if v["cost"] not in ("", *COSTS):
        problems.append(
            _("cost %(value)s must be free, paid or empty") % {"value": repr(v["cost"])}
        )
    if v["price"] and v["cost"] == "free":
        problems.append(_("a price is given for a paid resource only (cost is free)"))
    problems += _short(v, "price", "price")
    if v["language"] and not LANGUAGE_TAG.fullmatch(v["language"]):
        problems.append(
            _("language %(value)s must be a code such as fr, en or pt-BR")
            % {"value": repr(v["language"][:20])}
        )
    return problems


def _short(v: dict[str, str], column: str, label: str, field: str = "") -> list[str]:
    """A one-line text of a next step within its field's length."""
    value = v[column]
    max_length = _max_length(NextStepAction, field or column)
    if column != "url" and has_control_characters(value):
        return [
            _("%(field)s holds a line break, a tab or another control character") % {"field": label}
        ]
    if max_length and len(value) > max_length:
        return [_too_long(label, len(value), max_length)]
    return []


def _too_long(label: str, length: int, most: int) -> str:
    return _("%(field)s is too long (%(length)s characters, at most %(most)s)") % {
        "field": label,
        "length": length,
        "most": most,
    }


@functools.cache
def _max_length(model: type[models.Model], field: str) -> int | None:
    return getattr(model._meta.get_field(field), "max_length", None)


def _code(model: type[models.Model], code: str, pattern: re.Pattern[str]) -> list[str]:
    max_length = _max_length(model, "code")
    if max_length and len(code) > max_length:
        return [_too_long(_("code %(code)s") % {"code": repr(code)}, len(code), max_length)]
    if not pattern.fullmatch(code):
        if pattern is SLUG:
            message = _("code %(code)s may only hold lowercase letters, digits and single hyphens")
        else:
            message = _("code %(code)s may only hold letters, digits and single hyphens")
        return [message % {"code": repr(code)}]
    return []


# The texts a record names, as its messages say them (translated when used).
LABELS = {
    "name": gettext_noop("name"),
    "title": gettext_noop("title"),
    "descriptor": gettext_noop("descriptor"),
}


def _names(
    v: dict[str, str],
    field: Field,
    label: str,
    column: str,
    model: type[models.Model] | None = None,
    model_field: str = "name",
) -> list[str]:
    """Both languages are required; `model.model_field` gives the maximum length. A name
    (not a descriptor) is one line: no control characters (careers/validators.py)."""
    max_length = _max_length(model, model_field) if model else None
    problems = []
    for lang, name in _text_columns(column):
        value = v[name]
        named = {"label": _(LABELS[label]), "language": _language(lang), "field": field(name)}
        if not value:
            problems.append(_("%(label)s %(language)s (%(field)s) is missing") % named)
        elif column == "name" and has_control_characters(value):
            problems.append(
                _(
                    "%(label)s %(language)s (%(field)s) holds a line break, a tab or another"
                    " control character: a name is one line of text"
                )
                % named
            )
        elif max_length and len(value) > max_length:
            label_in = _("%(label)s %(language)s (%(field)s)") % named
            problems.append(_too_long(label_in, len(value), max_length))
    return problems


def _number(v: dict[str, str], column: str, low: int, high: int) -> list[str]:
    value = v[column]
    if not value:
        return [_("%(field)s is missing") % {"field": column}]
    if not (value.isascii() and value.isdigit()):
        return [
            _("%(field)s %(value)s is not a whole number") % {"field": column, "value": repr(value)}
        ]
    if len(value) > 9 or not low <= int(value) <= high:  # int() refuses 4300+ digits
        return [
            _("%(field)s %(value)s is out of range (%(low)s-%(high)s)")
            % {"field": column, "value": value, "low": low, "high": high}
        ]
    return []


def _flag(value: str) -> bool | None:
    value = value.lower()
    if not value or value in TRUE:
        return True
    return False if value in FALSE else None


def _nest(records: list[_Record]) -> Document:
    """Checked records as the nested document `catalogue_load` reads."""

    def text(v: dict[str, str], column: str) -> dict[str, str]:
        return {lang: v[name] for lang, name in _text_columns(column)}

    document: Document = {"categories": [], "roles": []}
    categories: dict[str, dict] = {}
    skills: dict[str, dict] = {}
    roles: dict[str, dict] = {}
    for v in (record.values for record in records):
        if v["type"] == "category":
            categories[v["code"]] = {
                "code": v["code"],
                "name": text(v, "name"),
                "description": text(v, "text"),
                "skills": [],
            }
            document["categories"].append(categories[v["code"]])
        elif v["type"] == "skill":
            skills[v["code"]] = {
                "code": v["code"],
                "name": text(v, "name"),
                "description": text(v, "text"),
                "levels": {},
                "actions": [],
            }
        elif v["type"] == "role":
            roles[v["code"]] = {
                "code": v["code"],
                "published": _flag(v["published"]),
                **({"ladder": v["ladder"], "rank": int(v["rank"])} if v["ladder"] else {}),
                "name": text(v, "name"),
                "summary": text(v, "text"),
                "requirements": [],
                "career": {"from": [], "to": []},
            }
            document["roles"].append(roles[v["code"]])
    # Second pass: a child may come before its parent in the file.
    for v in (record.values for record in records):
        if v["type"] == "skill":
            categories[v["parent"]]["skills"].append(skills[v["code"]])
        elif v["type"] == "level":
            level = str(int(v["level"]))
            skills[v["code"]]["levels"][level] = text(v, "text")
            lines = {lang: indicator_lines(v[name]) for lang, name in _text_columns("indicators")}
            if any(lines.values()):
                skills[v["code"]].setdefault("indicators", {})[level] = lines
        elif v["type"] == "action":
            action: Document = {
                "level": int(v["level"]),
                "kind": v["kind"],
                "title": text(v, "name"),
                "detail": text(v, "text"),
            }
            if v["price"] and not v["cost"]:
                v["cost"] = "paid"  # an amount says it is paid
            action |= {name: v[name] for name in RESOURCE_COLUMNS if v[name]}
            if any((duration := text(v, "duration")).values()):
                action["duration"] = duration
            skills[v["code"]]["actions"].append(action)
        elif v["type"] == "requirement":
            roles[v["code"]]["requirements"].append(
                {
                    "skill": v["parent"],
                    "weight": int(v["weight"]),
                    "target": int(v["target"]),
                    **({"core": True} if v["core"] and _flag(v["core"]) else {}),
                }
            )
        elif v["type"] == "career":
            roles[v["code"]]["career"][v["direction"]].append(
                {"name": text(v, "name"), "role": v["link"] or None}
            )
    return document


# Previewed uploads ------------------------------------------------------------------


def pending_import_keep(*, uploader, name: str, raw: bytes, prefix: str = "") -> PendingImport:
    """Keep a previewed file for its confirm, under a new token; purge what expired.

    Each preview is kept on its own, so two tabs previewing two files each confirm their
    own. A person keeps their latest PENDING_IMPORTS_PER_PERSON previews.
    """
    now = timezone.now()
    PendingImport.objects.filter(created_at__lt=now - PENDING_IMPORT_LIFETIME).delete()
    pending = PendingImport.objects.create(
        token=secrets.token_urlsafe(32),
        digest=hashlib.sha256(raw).hexdigest(),
        name=name[: PendingImport._meta.get_field("name").max_length or 255],
        content=raw,
        prefix=prefix,
        uploader=uploader,
        created_at=now,
    )
    kept = PendingImport.objects.filter(uploader=uploader).order_by("-created_at", "-pk")
    older = kept.values_list("pk", flat=True)[PENDING_IMPORTS_PER_PERSON:]
    PendingImport.objects.filter(pk__in=list(older)).delete()
    return pending


def pending_import_find(*, uploader, token: str, digest: str, lock: bool = False) -> PendingImport:
    """The preview `uploader` keeps under `token`, of the file whose SHA-256 is `digest`.

    Refused (ImportRejected) when the token names no preview of this person's, another
    file, or a preview over an hour old. `lock` holds the row until the transaction ends.
    """
    kept = PendingImport.objects.filter(token=token, uploader=uploader)
    pending = (kept.select_for_update() if lock else kept).first()
    if pending is None or pending.digest != digest:
        raise ImportRejected(
            [
                RowError(
                    None,
                    _(
                        "Nothing to import: this preview was imported already, replaced "
                        "by newer ones, or is not yours. Upload the file again."
                    ),
                )
            ]
        )
    if pending.created_at < timezone.now() - PENDING_IMPORT_LIFETIME:
        expired = _(
            "This preview has expired (a preview is kept for %(minutes)s minutes). "
            "Upload the file again."
        ) % {"minutes": int(PENDING_IMPORT_LIFETIME.total_seconds() // 60)}
        raise ImportRejected([RowError(None, expired)])
    return pending


def pending_import_confirm(*, uploader, token: str, digest: str) -> tuple[str, LoadReport]:
    """Import the file that `uploader` previewed under `token`, with the preview's
    prefix, then forget it.

    Refused (ImportRejected, nothing written) as `pending_import_find` says. The preview
    is deleted in the import's transaction: of two confirms of one preview, one imports
    and the other is refused. Returns the file's name and the load report.
    """
    with transaction.atomic():
        pending = pending_import_find(uploader=uploader, token=token, digest=digest, lock=True)
        pending.delete()
        raw = bytes(pending.content)
        fmt = format_of(pending.name) or "json"
        report = import_catalogue(document=parse(raw, fmt), dry_run=False, prefix=pending.prefix)
    return pending.name, report
