"""Writes to the catalogue that span many rows."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from .models import (
    CareerStep,
    NextStepAction,
    Role,
    RoleRequirement,
    Skill,
    SkillCategory,
    SkillLevel,
)

LANGUAGES = ("fr", "en")


class CatalogueError(ValueError):
    pass


@dataclass
class LoadReport:
    """What a load did, per model: created, updated, unchanged, deleted."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, model: type[models.Model], outcome: str, n: int = 1) -> None:
        self.counts.setdefault(model._meta.verbose_name_plural, Counter())[outcome] += n

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


def _upsert(
    report: LoadReport,
    existing: dict[Any, models.Model],
    model: type[models.Model],
    key: Any,
    lookup: dict[str, Any],
    values: dict[str, Any],
) -> models.Model:
    """Create the row, or update it only where a value differs (so reloading is a no-op)."""
    obj = existing.get(key)
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        report.add(model, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.add(model, "updated")
    else:
        report.add(model, "unchanged")
    return obj


def _delete_rest(report: LoadReport, queryset: models.QuerySet, kept_ids: set[int]) -> None:
    stale = queryset.exclude(pk__in=kept_ids)
    count = stale.count()
    if count:
        stale.delete()
        report.add(queryset.model, "deleted", count)


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
    """
    report = LoadReport()
    total = sum(len(c.get("skills", [])) for c in data.get("categories", [])) + len(
        data.get("roles", [])
    )
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    categories = {c.code: c for c in SkillCategory.objects.all()}
    skills = {s.code: s for s in Skill.objects.all()}
    levels = {(lv.skill_id, lv.level): lv for lv in SkillLevel.objects.all()}
    actions = {(a.skill_id, a.order): a for a in NextStepAction.objects.all()}
    roles = {r.code: r for r in Role.objects.all()}
    requirements = {(r.role_id, r.skill_id): r for r in RoleRequirement.objects.all()}
    steps = {(s.role_id, s.direction, s.order): s for s in CareerStep.objects.all()}

    for c_order, cat in enumerate(data.get("categories", []), start=1):
        category = _upsert(
            report,
            categories,
            SkillCategory,
            cat["code"],
            {"code": cat["code"]},
            {
                "order": c_order,
                **_translated("name", cat["name"]),
                **_translated("description", cat.get("description")),
            },
        )
        for s_order, sk in enumerate(cat.get("skills", []), start=1):
            skill = _upsert(
                report,
                skills,
                Skill,
                sk["code"],
                {"code": sk["code"]},
                {
                    "category": category,
                    "order": s_order,
                    **_translated("name", sk["name"]),
                    **_translated("description", sk.get("description")),
                },
            )
            skills[skill.code] = skill
            for level_key, text in sk.get("levels", {}).items():
                level = int(level_key)
                _upsert(
                    report,
                    levels,
                    SkillLevel,
                    (skill.pk, level),
                    {"skill": skill, "level": level},
                    _translated("descriptor", text),
                )
            kept = set()
            for a_order, act in enumerate(sk.get("actions", []), start=1):
                action = _upsert(
                    report,
                    actions,
                    NextStepAction,
                    (skill.pk, a_order),
                    {"skill": skill, "order": a_order},
                    {
                        "level": int(act["level"]),
                        "kind": act["kind"],
                        **_translated("title", act["title"]),
                        **_translated("detail", act.get("detail")),
                    },
                )
                kept.add(action.pk)
            _delete_rest(report, NextStepAction.objects.filter(skill=skill), kept)
            tick()

    role_docs = data.get("roles", [])
    for r_order, doc in enumerate(role_docs, start=1):
        role = _upsert(
            report,
            roles,
            Role,
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
        roles[role.code] = role
        kept = set()
        for req in doc.get("requirements", []):
            skill = skills.get(req["skill"])
            if skill is None:
                raise CatalogueError(f"Role {role.code}: unknown skill {req['skill']!r}.")
            requirement = _upsert(
                report,
                requirements,
                RoleRequirement,
                (role.pk, skill.pk),
                {"role": role, "skill": skill},
                {
                    "weight": int(req["weight"]),
                    "target": int(req["target"]),
                    "is_core": bool(req.get("core", False)),
                },
            )
            kept.add(requirement.pk)
        _delete_rest(report, RoleRequirement.objects.filter(role=role), kept)
        tick()

    # Career steps may point at roles defined later in the document: second pass.
    for doc in role_docs:
        role = roles[doc["code"]]
        kept = set()
        for direction in (CareerStep.Direction.FROM, CareerStep.Direction.TO):
            for s_order, step in enumerate(doc.get("career", {}).get(direction, []), start=1):
                linked_code = step.get("role")
                if linked_code and linked_code not in roles:
                    raise CatalogueError(f"Role {role.code}: unknown career role {linked_code!r}.")
                career_step = _upsert(
                    report,
                    steps,
                    CareerStep,
                    (role.pk, direction.value, s_order),
                    {"role": role, "direction": direction.value, "order": s_order},
                    {
                        "linked_role": roles[linked_code] if linked_code else None,
                        **_translated("name", step["name"]),
                    },
                )
                kept.add(career_step.pk)
        _delete_rest(report, CareerStep.objects.filter(role=role), kept)
    return report
