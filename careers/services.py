"""Writes to the catalogue that span many rows."""

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import DatabaseError, models, transaction
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .bulk import insert_with_history
from .models import (
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)
from .signals import catalogue_changed

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

M = TypeVar("M", bound=models.Model)

LANGUAGES = ("fr", "en")
# How many rows a report names per model and outcome; it counts the others.
LISTED = 100
# A next step's learning resource, beside its translated duration (serialise.action).
RESOURCE_FIELDS = ("url", "provider", "cost", "price", "language")


class CatalogueError(ValueError):
    pass


@dataclass
class LoadReport:
    """What a load did, per model: created, updated, unchanged, deleted.

    `listed` names the first LISTED created, updated (with the fields that change) and
    deleted rows of each model, for a preview to say what an import will do; `more`
    counts those left out. `collisions` is filled by the import (interchange)."""

    # Keyed by the models' (lazy) plural names, translated when the report is shown.
    counts: "dict[StrOrPromise, Counter[str]]" = field(default_factory=dict)
    listed: "dict[StrOrPromise, dict[str, list[str]]]" = field(default_factory=dict)
    collisions: list[str] = field(default_factory=list)

    def add(self, model: type[models.Model], outcome: str, n: int = 1) -> None:
        self.counter(model)[outcome] += n

    def counter(self, model: type[models.Model]) -> Counter[str]:
        """The model's counts, listed from now on (the lines follow this order)."""
        name = model._meta.verbose_name_plural
        assert name is not None  # Options fills it in from verbose_name
        self.listed.setdefault(name, {"created": [], "updated": [], "deleted": []})
        return self.counts.setdefault(name, Counter())

    def wants(self, model: type[models.Model], outcome: str) -> bool:
        """Whether one more row of the model and outcome is still to be named."""
        return len(self.named(model)[outcome]) < LISTED

    def name(self, model: type[models.Model], outcome: str, line: str) -> None:
        self.named(model)[outcome].append(line)

    def named(self, model: type[models.Model]) -> dict[str, list[str]]:
        self.counter(model)
        return self.listed[model._meta.verbose_name_plural]  # type: ignore[index]

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    def changes_nothing(self) -> bool:
        return not any(self.total(outcome) for outcome in ("created", "updated", "deleted"))

    def more(self, name: "StrOrPromise", outcome: str) -> int:
        """How many rows of the model and outcome the report counts but does not name."""
        return self.counts[name][outcome] - len(self.listed[name][outcome])

    def lines(self) -> list[str]:
        return [
            _("%(name)s: %(created)s, %(updated)s, %(unchanged)s, %(deleted)s")
            % {
                "name": name,
                "created": ngettext("%(n)s created", "%(n)s created", c["created"])
                % {"n": c["created"]},
                "updated": ngettext("%(n)s updated", "%(n)s updated", c["updated"])
                % {"n": c["updated"]},
                "unchanged": ngettext("%(n)s unchanged", "%(n)s unchanged", c["unchanged"])
                % {"n": c["unchanged"]},
                "deleted": ngettext("%(n)s deleted", "%(n)s deleted", c["deleted"])
                % {"n": c["deleted"]},
            }
            for name, c in self.counts.items()
        ]

    def details(self) -> list[str]:
        """The named rows, one line each, then how many more of each outcome."""
        out = []
        for name, listed in self.listed.items():
            for outcome, lines in listed.items():
                out += lines
                if more := self.more(name, outcome):
                    out.append(self.more_line(name, outcome, more))
        return out

    @staticmethod
    def more_line(name: "StrOrPromise", outcome: str, n: int) -> str:
        if outcome == "created":
            text = ngettext("%(name)s: %(n)s more to create", "%(name)s: %(n)s more to create", n)
        elif outcome == "updated":
            text = ngettext("%(name)s: %(n)s more to update", "%(name)s: %(n)s more to update", n)
        else:
            text = ngettext("%(name)s: %(n)s more to delete", "%(name)s: %(n)s more to delete", n)
        return text % {"name": capfirst(name), "n": n}


def in_language(values: dict[str, Any], prefix: str) -> str:
    """A translated text in the active language (French when it is neither)."""
    lang = (get_language() or "fr")[:2]
    return values.get(f"{prefix}_{lang if lang in LANGUAGES else 'fr'}") or ""


def _field_label(model: type[models.Model], attname: str) -> str:
    """A column as a person reads it, in the active language: "name (fr)", "category"."""
    base, _sep, lang = attname.rpartition("_")
    if lang in LANGUAGES:
        return f"{_field_label(model, base)} ({lang})"
    found = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
    return str(found.verbose_name) if found else attname


def _translated(prefix: str, text: dict[str, str] | None) -> dict[str, str]:
    text = text or {}
    return {column: (text.get(lang) or "").strip() for lang, column in _language_columns(prefix)}


@functools.cache
def _language_columns(prefix: str) -> tuple[tuple[str, str], ...]:
    """Each language beside the prefix's column in it: ("fr", "name_fr"), ..."""
    return tuple((lang, f"{prefix}_{lang}") for lang in LANGUAGES)


def _columns(*prefixes: str) -> tuple[str, ...]:
    """The translated columns `_translated` fills, in its order."""
    return tuple(f"{prefix}_{lang}" for prefix in prefixes for lang in LANGUAGES)


def _pk(ref: "_Ref") -> int:
    assert ref.pk is not None  # set by the flush that came before
    return ref.pk


class _Ref:
    """A row's id: known for a row of the database, set by `flush` for a new one."""

    __slots__ = ("pk",)

    def __init__(self, pk: int | None = None) -> None:
        self.pk = pk


class _Rows(Generic[M]):
    """One model's rows during a load: those in the database, matched on a key, and the
    new ones, created together by `flush` (one statement per table, with their history).

    The rows in the database are read as values (`key` then `fields`, attnames), not as
    instances; a row is compared on `fields`. Only a row that differs is fetched, to be
    saved with its history as before."""

    def __init__(
        self,
        report: LoadReport,
        model: type[M],
        key: tuple[str, ...],
        fields: tuple[str, ...],
        *,
        unique: bool = True,
    ) -> None:
        assert len(fields) > 1  # compared as tuples
        self.report, self.model, self.fields = report, model, fields
        self.wanted = itemgetter(*fields)
        # A plain QuerySet: the columns as stored. A key the database does not keep
        # unique (`unique=False`: actions, career steps) is read in the model's ordering:
        # of two rows on one key, the later is matched, as when rows were read as instances.
        stored: models.QuerySet[M] = models.QuerySet(model)
        if unique:
            stored = stored.order_by()
        found: Iterable[tuple[Any, ...]] = stored.values_list("pk", *key, *fields)
        width = len(key)
        self.existing: dict[Any, tuple[int, tuple[Any, ...]]] = {
            (tuple(row[1 : width + 1]) if width > 1 else row[1]): (row[0], row[width + 1 :])
            for row in found
        }
        self.new: list[tuple[_Ref, dict[str, Any]]] = []
        self.changed: list[tuple[int, dict[str, Any]]] = []
        self.kept: set[int] = set()  # ids of existing rows the document still lists
        self.counts: Counter[str] | None = None

    def upsert(
        self,
        key: Any,
        lookup: dict[str, Any],
        values: dict[str, Any],
        describe: Callable[[], str],
    ) -> _Ref:
        """Queue the row for creation, or for an update of the values that differ (so
        that reloading is a no-op). A queued row has no id until `flush`.

        `describe()` names the row for the report (called for the first LISTED only)."""
        if self.counts is None:
            self.counts = self.report.counter(self.model)
        found = self.existing.get(key)
        if found is None:
            ref = _Ref()
            self.new.append((ref, lookup | values))
            self.counts["created"] += 1
            if self.report.wants(self.model, "created"):
                line = _("%(row)s will be created") % {"row": describe()}
                self.report.name(self.model, "created", line)
            return ref
        pk, stored = found
        self.kept.add(pk)
        wanted = self.wanted(values)
        if wanted == stored:
            self.counts["unchanged"] += 1
        else:
            changed = {
                name: value
                for name, value, old in zip(self.fields, wanted, stored, strict=True)
                if value != old
            }
            self.changed.append((pk, changed))
            self.existing[key] = (pk, wanted)  # a second upsert compares with these
            self.counts["updated"] += 1
            if self.report.wants(self.model, "updated"):
                fields = ", ".join(str(_field_label(self.model, name)) for name in changed)
                line = ngettext(
                    "%(row)s: %(fields)s will change",
                    "%(row)s: %(fields)s will change",
                    len(changed),
                ) % {"row": describe(), "fields": fields}
                self.report.name(self.model, "updated", line)
        return _Ref(pk)

    def flush(self) -> None:
        """Save the rows that differ (each with its history record), then create the new
        ones. The database's check constraints guard the values: the document was
        checked before (interchange._validate), and a per-row full_clean tripled the time."""
        if self.changed:
            objs = self.model._default_manager.in_bulk([pk for pk, _values in self.changed])
            for pk, changed in self.changed:
                obj = objs.get(pk)
                if obj is None:  # deleted meanwhile: what saving the row read before raised
                    raise DatabaseError("Save with update_fields did not affect any rows.")
                for name, value in changed.items():
                    setattr(obj, name, value)
                obj.save(update_fields=list(changed))
            self.changed = []
        if self.new:
            ids = insert_with_history(self.model, [row for _ref, row in self.new])
            for (ref, _row), pk in zip(self.new, ids, strict=True):
                ref.pk = pk
            self.new = []

    def delete_unlisted(
        self, parent_ids: set[int], columns: tuple[str, ...], describe: Callable[[dict], str]
    ) -> None:
        """Remove the rows of the listed parents (the first part of the key) that the
        document no longer names. The first LISTED are named in the report, read in one
        query (`columns`, lookups such as "skill__code") and named by `describe(row)`."""
        stale = [
            pk
            for key, (pk, _values) in self.existing.items()
            if key[0] in parent_ids and pk not in self.kept
        ]
        if stale:
            named = self.model._default_manager.filter(pk__in=stale[:LISTED]).order_by("pk")
            for row in named.values(*columns):
                line = _("%(row)s will be deleted") % {"row": describe(row)}
                self.report.name(self.model, "deleted", line)
            self.model._default_manager.filter(pk__in=stale).delete()
            self.report.add(self.model, "deleted", len(stale))


Doc = dict[str, Any]


def _ticker(total: int, progress: Callable[[int, int], None] | None) -> Callable[[], None]:
    """A function to call after each item: it reports `progress(done, total)`."""
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    return tick


@transaction.atomic
def catalogue_load(
    *, data: dict[str, Any], progress: Callable[[int, int], None] | None = None
) -> LoadReport:
    """Load a nested catalogue document (fixtures/catalogue.json), matching on codes.

    Categories, skills and roles are matched by code; descriptors by (skill, level);
    actions and career steps by their position. Rows the document no longer lists
    under a skill or role it names are removed; skills, categories and roles it does
    not name are left alone. Loading the same document twice changes nothing.
    `progress(done, total)` is called after each skill and each role.
    New rows are created in bulk, one model after the other, parents first.
    """
    report = LoadReport()
    category_docs = data.get("categories", [])
    role_docs = data.get("roles", [])
    total = sum(len(c.get("skills", [])) for c in category_docs) + len(role_docs)
    tick = _ticker(total, progress)

    placed = _load_categories(report, category_docs)
    skill_by_code, loaded = _load_skills(report, placed)
    _load_levels_and_actions(report, loaded, tick)
    role_by_code = _load_roles(report, role_docs)
    listed = [(role_by_code[doc["code"]], doc) for doc in role_docs]
    _load_requirements(report, listed, skill_by_code, tick)
    # Career steps may point at any role of the document, hence after all of them.
    _load_career_steps(report, listed, role_by_code)
    catalogue_changed()  # bulk inserts send no signal
    return report


def _load_categories(report: LoadReport, category_docs: list[Doc]) -> list[tuple[_Ref, int, Doc]]:
    """The categories, in document order; returns each skill's document beside its
    category and its position in it."""
    categories = _Rows(
        report, SkillCategory, ("code",), ("order", *_columns("name", "description"))
    )
    placed: list[tuple[_Ref, int, Doc]] = []
    for c_order, cat in enumerate(category_docs, start=1):
        category = categories.upsert(
            cat["code"],
            {"code": cat["code"]},
            {
                "order": c_order,
                **_translated("name", cat["name"]),
                **_translated("description", cat.get("description")),
            },
            functools.partial(
                _named, _("Category %(code)s « %(name)s »"), cat["code"], cat["name"]
            ),
        )
        for s_order, sk in enumerate(cat.get("skills", []), start=1):
            placed.append((category, s_order, sk))
    categories.flush()
    return placed


def _load_skills(
    report: LoadReport, placed: list[tuple[_Ref, int, Doc]]
) -> tuple[dict[str, int], list[tuple[int, Doc]]]:
    """The skills; returns the id of every skill of the catalogue by code (the
    document's included), and the document's skills (their ids) beside their documents."""
    skills = _Rows(
        report, Skill, ("code",), ("category_id", "order", *_columns("name", "description"))
    )
    refs: list[tuple[_Ref, Doc]] = []
    for category, s_order, sk in placed:
        skill = skills.upsert(
            sk["code"],
            {"code": sk["code"]},
            {
                "category_id": category.pk,
                "order": s_order,
                **_translated("name", sk["name"]),
                **_translated("description", sk.get("description")),
            },
            functools.partial(_named, _("Skill %(code)s « %(name)s »"), sk["code"], sk["name"]),
        )
        refs.append((skill, sk))
    skills.flush()
    by_code = {code: pk for code, (pk, _values) in skills.existing.items()}
    loaded = [(_pk(skill), sk) for skill, sk in refs]
    by_code.update((sk["code"], pk) for pk, sk in loaded)
    return by_code, loaded


def _load_levels_and_actions(
    report: LoadReport, loaded: list[tuple[int, Doc]], tick: Callable[[], None]
) -> None:
    """Each skill's level descriptors and next-step actions (ticks once per skill).

    The actions a skill's document no longer lists are removed."""
    levels = _Rows(report, SkillLevel, ("skill_id", "level"), _columns("descriptor", "indicators"))
    actions = _Rows(
        report,
        NextStepAction,
        ("skill_id", "order"),
        ("level", "kind", *_columns("title", "detail", "duration"), *RESOURCE_FIELDS),
        unique=False,
    )
    for skill, sk in loaded:
        indicators = sk.get("indicators", {})
        for level_key, text in sk.get("levels", {}).items():
            level = int(level_key)
            lines = indicators.get(level_key) or {}
            levels.upsert(
                (skill, level),
                {"skill_id": skill, "level": level},
                _translated("descriptor", text)
                | _translated("indicators", {k: "\n".join(v) for k, v in lines.items()}),
                functools.partial(_level, level, sk["code"]),
            )
        for a_order, act in enumerate(sk.get("actions", []), start=1):
            title = _translated("title", act["title"])
            actions.upsert(
                (skill, a_order),
                {"skill_id": skill, "order": a_order},
                {
                    "level": int(act["level"]),
                    "kind": act["kind"],
                    **title,
                    **_translated("detail", act.get("detail")),
                    **_translated("duration", act.get("duration")),
                    **{name: (act.get(name) or "").strip() for name in RESOURCE_FIELDS},
                },
                functools.partial(_next_step, a_order, sk["code"], in_language(title, "title")),
            )
        tick()
    levels.flush()
    actions.flush()
    actions.delete_unlisted(
        {skill for skill, _sk in loaded},
        ("order", "skill__code", *_columns("title")),
        lambda row: _next_step(row["order"], row["skill__code"], in_language(row, "title")),
    )


def _named(text: str, code: str, name: dict[str, str]) -> str:
    """A category, skill or role as a report names it, in the active language."""
    return text % {"code": code, "name": in_language(_translated("name", name), "name")}


def _level(level: int, skill: str) -> str:
    return _("Level %(level)s of skill %(skill)s") % {"level": level, "skill": skill}


def _next_step(order: int, skill: str, title: str) -> str:
    return _("Next step %(order)s of skill %(skill)s « %(title)s »") % {
        "order": order,
        "skill": skill,
        "title": title,
    }


def _load_roles(report: LoadReport, role_docs: list[Doc]) -> dict[str, int]:
    """The roles, in document order; returns the id of every role of the catalogue by
    code."""
    roles = _Rows(
        report,
        Role,
        ("code",),
        ("order", "is_published", "ladder", "ladder_rank", *_columns("name", "summary")),
    )
    refs: list[tuple[str, _Ref]] = []
    for r_order, doc in enumerate(role_docs, start=1):
        role = roles.upsert(
            doc["code"],
            {"code": doc["code"]},
            {
                "order": r_order,
                "is_published": bool(doc.get("published", True)),
                "ladder": doc.get("ladder") or "",
                "ladder_rank": int(doc.get("rank") or 0),
                **_translated("name", doc["name"]),
                **_translated("summary", doc.get("summary")),
            },
            functools.partial(_named, _("Role %(code)s « %(name)s »"), doc["code"], doc["name"]),
        )
        refs.append((doc["code"], role))
    roles.flush()
    by_code = {code: pk for code, (pk, _values) in roles.existing.items()}
    by_code.update((code, _pk(role)) for code, role in refs)
    return by_code


def _load_requirements(
    report: LoadReport,
    listed: list[tuple[int, Doc]],
    skill_by_code: dict[str, int],
    tick: Callable[[], None],
) -> None:
    """Each listed role's requirements (ticks once per role); those its document no
    longer lists are removed. A requirement may name any skill of the catalogue."""
    requirements = _Rows(
        report, RoleRequirement, ("role_id", "skill_id"), ("weight", "target", "is_core")
    )
    for role, doc in listed:
        for req in doc.get("requirements", []):
            required = skill_by_code.get(req["skill"])
            if required is None:
                raise CatalogueError(
                    _("Role %(role)s: unknown skill %(skill)s.")
                    % {"role": doc["code"], "skill": repr(req["skill"])}
                )
            requirements.upsert(
                (role, required),
                {"role_id": role, "skill_id": required},
                {
                    "weight": int(req["weight"]),
                    "target": int(req["target"]),
                    "is_core": bool(req.get("core", False)),
                },
                functools.partial(_requirement, doc["code"], req["skill"]),
            )
        tick()
    requirements.flush()
    requirements.delete_unlisted(
        {role for role, _doc in listed},
        ("role__code", "skill__code"),
        lambda row: _requirement(row["role__code"], row["skill__code"]),
    )


def _requirement(role: str, skill: str) -> str:
    return _("Requirement of role %(role)s on skill %(skill)s") % {"role": role, "skill": skill}


def _load_career_steps(
    report: LoadReport, listed: list[tuple[int, Doc]], role_by_code: dict[str, int]
) -> None:
    """Each listed role's career steps, from and to; those its document no longer lists
    are removed. A step may link to any role of the catalogue."""
    steps = _Rows(
        report,
        CareerStep,
        ("role_id", "direction", "order"),
        ("linked_role_id", *_columns("name")),
        unique=False,
    )
    for role, doc in listed:
        for direction in (CareerStep.Direction.FROM, CareerStep.Direction.TO):
            for s_order, step in enumerate(doc.get("career", {}).get(direction, []), start=1):
                linked_code = step.get("role")
                if linked_code and linked_code not in role_by_code:
                    raise CatalogueError(
                        _("Role %(role)s: unknown career role %(link)s.")
                        % {"role": doc["code"], "link": repr(linked_code)}
                    )
                steps.upsert(
                    (role, direction.value, s_order),
                    {"role_id": role, "direction": direction.value, "order": s_order},
                    {
                        "linked_role_id": role_by_code[linked_code] if linked_code else None,
                        **_translated("name", step["name"]),
                    },
                    functools.partial(
                        _career_step,
                        s_order,
                        direction,
                        doc["code"],
                        in_language(_translated("name", step["name"]), "name"),
                    ),
                )
    steps.flush()
    steps.delete_unlisted(
        {role for role, _doc in listed},
        ("order", "direction", "role__code", *_columns("name")),
        lambda row: _career_step(
            row["order"], row["direction"], row["role__code"], in_language(row, "name")
        ),
    )


def _career_step(order: int, direction: str, role: str, name: str) -> str:
    """ "Career step 2 (Goes to) of role TPM « Directeur »"."""
    return _("Career step %(order)s (%(direction)s) of role %(role)s « %(name)s »") % {
        "order": order,
        "direction": CareerStep.Direction(direction).label,
        "role": role,
        "name": name,
    }
