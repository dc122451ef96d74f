"""Writes to the catalogue that span many rows."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models, transaction
from simple_history.utils import bulk_create_with_history

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


class CatalogueError(ValueError):
    pass


@dataclass
class LoadReport:
    """What a load did, per model: created, updated, unchanged, deleted."""

    # Keyed by the models' (lazy) plural names, translated when the report is shown.
    counts: "dict[StrOrPromise, Counter[str]]" = field(default_factory=dict)

    def add(self, model: type[models.Model], outcome: str, n: int = 1) -> None:
        name = model._meta.verbose_name_plural
        assert name is not None  # Options fills it in from verbose_name
        self.counts.setdefault(name, Counter())[outcome] += n

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{name}: {c['created']} created, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {c['deleted']} deleted"
            for name, c in self.counts.items()
        ]


def _translated(prefix: str, text: dict[str, str] | None) -> dict[str, str]:
    text = text or {}
    return {f"{prefix}_{lang}": (text.get(lang) or "").strip() for lang in LANGUAGES}


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    """Whether the row's field holds another value; a foreign key is compared by id, so
    that checking a row does not fetch the row it points at."""
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname) != getattr(value, "pk", value)
    return getattr(obj, name) != value


class _Rows(Generic[M]):
    """One model's rows during a load: those in the database, matched on a key, and the
    new ones, created together by `flush` (one INSERT per batch, with their history)."""

    def __init__(self, report: LoadReport, model: type[M], existing: dict[Any, M]) -> None:
        self.report, self.model, self.existing = report, model, existing
        self.new: list[M] = []
        self.kept: set[int] = set()  # ids of existing rows the document still lists

    def upsert(self, key: Any, lookup: dict[str, Any], values: dict[str, Any]) -> M:
        """Queue the row for creation, or update it only where a value differs (so that
        reloading is a no-op). A queued row has no id until `flush`."""
        obj = self.existing.get(key)
        if obj is None:
            obj = self.model(**lookup, **values)
            self.new.append(obj)
            self.report.add(self.model, "created")
            return obj
        self.kept.add(obj.pk)
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.report.add(self.model, "updated")
        else:
            self.report.add(self.model, "unchanged")
        return obj

    def flush(self) -> None:
        if self.new:
            # The database's check constraints guard the values: the document was checked
            # before (interchange._validate), and a per-row full_clean tripled the time.
            bulk_create_with_history(self.new, self.model, batch_size=500)
            self.new = []

    def delete_unlisted(self, parent_ids: set[int], parent: str) -> None:
        """Remove the rows of the listed parents that the document no longer names."""
        stale = [
            obj.pk
            for obj in self.existing.values()
            if getattr(obj, f"{parent}_id") in parent_ids and obj.pk not in self.kept
        ]
        if stale:
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


def _load_categories(
    report: LoadReport, category_docs: list[Doc]
) -> list[tuple[SkillCategory, int, Doc]]:
    """The categories, in document order; returns each skill's document beside its
    category and its position in it."""
    categories = _Rows(report, SkillCategory, {c.code: c for c in SkillCategory.objects.all()})
    placed: list[tuple[SkillCategory, int, Doc]] = []
    for c_order, cat in enumerate(category_docs, start=1):
        category = categories.upsert(
            cat["code"],
            {"code": cat["code"]},
            {
                "order": c_order,
                **_translated("name", cat["name"]),
                **_translated("description", cat.get("description")),
            },
        )
        for s_order, sk in enumerate(cat.get("skills", []), start=1):
            placed.append((category, s_order, sk))
    categories.flush()
    return placed


def _load_skills(
    report: LoadReport, placed: list[tuple[SkillCategory, int, Doc]]
) -> tuple[dict[str, Skill], list[tuple[Skill, Doc]]]:
    """The skills; returns every skill of the catalogue by code (the document's
    included), and the document's skills beside their documents."""
    skills = _Rows(report, Skill, {s.code: s for s in Skill.objects.all()})
    by_code: dict[str, Skill] = dict(skills.existing)
    loaded: list[tuple[Skill, Doc]] = []
    for category, s_order, sk in placed:
        skill = skills.upsert(
            sk["code"],
            {"code": sk["code"]},
            {
                "category": category,
                "order": s_order,
                **_translated("name", sk["name"]),
                **_translated("description", sk.get("description")),
            },
        )
        by_code[skill.code] = skill
        loaded.append((skill, sk))
    skills.flush()
    return by_code, loaded


def _load_levels_and_actions(
    report: LoadReport, loaded: list[tuple[Skill, Doc]], tick: Callable[[], None]
) -> None:
    """Each skill's level descriptors and next-step actions (ticks once per skill).

    The actions a skill's document no longer lists are removed."""
    levels = _Rows(
        report, SkillLevel, {(lv.skill_id, lv.level): lv for lv in SkillLevel.objects.all()}
    )
    actions = _Rows(
        report, NextStepAction, {(a.skill_id, a.order): a for a in NextStepAction.objects.all()}
    )
    for skill, sk in loaded:
        for level_key, text in sk.get("levels", {}).items():
            level = int(level_key)
            levels.upsert(
                (skill.pk, level), {"skill": skill, "level": level}, _translated("descriptor", text)
            )
        for a_order, act in enumerate(sk.get("actions", []), start=1):
            actions.upsert(
                (skill.pk, a_order),
                {"skill": skill, "order": a_order},
                {
                    "level": int(act["level"]),
                    "kind": act["kind"],
                    **_translated("title", act["title"]),
                    **_translated("detail", act.get("detail")),
                },
            )
        tick()
    levels.flush()
    actions.flush()
    actions.delete_unlisted({skill.pk for skill, _sk in loaded}, "skill")


def _load_roles(report: LoadReport, role_docs: list[Doc]) -> dict[str, Role]:
    """The roles, in document order; returns every role of the catalogue by code."""
    roles = _Rows(report, Role, {r.code: r for r in Role.objects.all()})
    by_code: dict[str, Role] = dict(roles.existing)
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
        )
        by_code[role.code] = role
    roles.flush()
    return by_code


def _load_requirements(
    report: LoadReport,
    listed: list[tuple[Role, Doc]],
    skill_by_code: dict[str, Skill],
    tick: Callable[[], None],
) -> None:
    """Each listed role's requirements (ticks once per role); those its document no
    longer lists are removed. A requirement may name any skill of the catalogue."""
    requirements = _Rows(
        report,
        RoleRequirement,
        {(r.role_id, r.skill_id): r for r in RoleRequirement.objects.all()},
    )
    for role, doc in listed:
        for req in doc.get("requirements", []):
            required = skill_by_code.get(req["skill"])
            if required is None:
                raise CatalogueError(f"Role {role.code}: unknown skill {req['skill']!r}.")
            requirements.upsert(
                (role.pk, required.pk),
                {"role": role, "skill": required},
                {
                    "weight": int(req["weight"]),
                    "target": int(req["target"]),
                    "is_core": bool(req.get("core", False)),
                },
            )
        tick()
    requirements.flush()
    requirements.delete_unlisted({role.pk for role, _doc in listed}, "role")


def _load_career_steps(
    report: LoadReport, listed: list[tuple[Role, Doc]], role_by_code: dict[str, Role]
) -> None:
    """Each listed role's career steps, from and to; those its document no longer lists
    are removed. A step may link to any role of the catalogue."""
    steps = _Rows(
        report,
        CareerStep,
        {(s.role_id, s.direction, s.order): s for s in CareerStep.objects.all()},
    )
    for role, doc in listed:
        for direction in (CareerStep.Direction.FROM, CareerStep.Direction.TO):
            for s_order, step in enumerate(doc.get("career", {}).get(direction, []), start=1):
                linked_code = step.get("role")
                if linked_code and linked_code not in role_by_code:
                    raise CatalogueError(f"Role {role.code}: unknown career role {linked_code!r}.")
                steps.upsert(
                    (role.pk, direction.value, s_order),
                    {"role": role, "direction": direction.value, "order": s_order},
                    {
                        "linked_role": role_by_code[linked_code] if linked_code else None,
                        **_translated("name", step["name"]),
                    },
                )
    steps.flush()
    steps.delete_unlisted({role.pk for role, _doc in listed}, "role")
