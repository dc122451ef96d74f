"""Turn a submitted assessment's snapshot into what the result page and exports show.

Everything here reads the frozen snapshot only, never the live catalogue, so a
result looks the same however the catalogue changes afterwards. The snapshot is read
through `Assessment.read_snapshot()`, in the shape scoring.Snapshot declares.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, partial
from itertools import groupby
from operator import attrgetter
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, get_language_info, gettext

import scoring
from careers.csvcells import csv_writer
from careers.models import Level, NextStepAction

from .models import Assessment

TOP_GAPS = 5


def pick(text: dict[str, str] | None, language: str | None = None) -> str:
    """The text in the active language, falling back to French, then to anything."""
    if not text:
        return ""
    language = (language or get_language() or "fr")[:2]
    return text.get(language) or text.get("fr") or next(iter(text.values()), "")


@dataclass
class SkillRow:
    code: str
    name: str
    category: str
    weight: int
    target: int
    level: int
    gap: int
    priority: int
    level_label: str
    target_label: str
    descriptor: str  # what the person's own level means for this skill
    order: int  # catalogue position: the chart's categories keep this order
    next_steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_strength(self) -> bool:
        return self.gap == 0


@dataclass
class RoleResult:
    code: str
    name: str
    summary: str
    fit: float
    band: str
    rank: int
    career_from: list[dict[str, Any]]
    career_to: list[dict[str, Any]]
    # Made when first read: a result page details one role, and the summary of the others
    # needs only their fit (the rows of 8 roles are 1,100 translated texts to pick).
    make_rows: Callable[[], list[SkillRow]] = field(repr=False, compare=False)

    @cached_property
    def rows(self) -> list[SkillRow]:
        return self.make_rows()

    @property
    def gaps(self) -> list[SkillRow]:
        return [r for r in self.rows if not r.is_strength]

    @property
    def top_gaps(self) -> list[SkillRow]:
        return self.gaps[:TOP_GAPS]

    @property
    def strengths(self) -> list[SkillRow]:
        return [r for r in self.rows if r.is_strength]

    @property
    def categories(self) -> list[tuple[str, list[SkillRow]]]:
        """The rows in catalogue order, grouped by category: the level bars' groups."""
        rows = sorted(self.rows, key=attrgetter("order"))
        return [(name, list(group)) for name, group in groupby(rows, key=attrgetter("category"))]


def band_ranges() -> list[dict[str, Any]]:
    """The bands with their bounds, for the page that explains them (from scoring.BANDS)."""
    ranges = []
    high = None
    for low, key in scoring.BANDS:
        ranges.append({"key": key, "low": low, "high": high})
        high = low
    return ranges


def scores_for(assessment: Assessment) -> list[scoring.RoleScore]:
    return ranked(assessment.read_snapshot())


def ranked(snapshot: scoring.Snapshot) -> list[scoring.RoleScore]:
    """The snapshot's roles scored with its levels, in result order."""
    return scoring.rank_roles(scoring.profiles_from_snapshot(snapshot), snapshot["levels"])


def next_step_rows(
    skill: scoring.SnapshotSkill,
    level: int,
    target: int,
    language: str | None = None,
    kinds: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """`next_steps` as shown on a page: texts in one language, the kind's label beside it."""
    kinds = kinds if kinds is not None else dict(NextStepAction.Kind.choices)
    return [
        {
            "kind": a["kind"],
            "kind_label": str(kinds.get(a["kind"], a["kind"])),
            "level": a["level"],
            "title": pick(a["title"], language),
            "detail": pick(a["detail"], language),
            "url": web_link(a.get("url", "")),
            "facts": resource_facts(a, language),
        }
        for a in scoring.next_steps(skill, level, target)
    ]


def web_link(url: str) -> str:
    """The link if it is an http(s) address (the only kind the catalogue takes), else ""."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def resource_facts(action: scoring.SnapshotAction, language: str | None = None) -> list[str]:
    """What a next step's learning resource says of itself, in order: who offers it, how
    long it takes, its cost, its language ("PMI", "35 h", "Paid: 450 EUR", "English")."""
    facts = [action.get("provider", ""), pick(action.get("duration"), language)]
    cost, price = action.get("cost"), action.get("price", "")
    if cost == "free":
        facts.append(gettext("Free"))
    elif cost == "paid":
        facts.append(gettext("Paid: %(price)s") % {"price": price} if price else gettext("Paid"))
    if tag := action.get("language"):
        facts.append(language_name(tag))
    return [fact for fact in facts if fact]


def language_name(tag: str) -> str:
    """A language tag's name in that language, as language pickers show it ("en" ->
    "English", "fr" -> "Français"), else the tag."""
    for code in (tag, tag.split("-")[0]):
        try:
            name = str(get_language_info(code.lower())["name_local"])
        except KeyError:
            continue
        return name[:1].upper() + name[1:]
    return tag


def skill_row(
    s: scoring.SkillScore,
    skill: scoring.SnapshotSkill,
    language: str | None,
    labels: Mapping[int, Any],
    kinds: dict[str, Any],
) -> SkillRow:
    """One scored requirement as the result and the path show it, `skill` being its
    snapshot entry: texts in one language, levels named by `labels`, and for a gap the
    next steps (`next_step_rows`, their kinds named by `kinds`)."""
    return SkillRow(
        code=s.skill,
        name=pick(skill["name"], language),
        category=pick(skill["category"]["name"], language),
        weight=s.weight,
        target=s.target,
        level=s.level,
        gap=s.gap,
        priority=s.priority,
        level_label=str(labels[s.level]),
        target_label=str(labels[s.target]),
        descriptor=pick(skill["levels"].get(str(s.level)), language),
        order=s.order,
        next_steps=next_step_rows(skill, s.level, s.target, language, kinds) if s.gap else [],
    )


def career_step(
    step: scoring.SnapshotCareerStep,
    roles: Mapping[str, scoring.SnapshotRole],
    language: str | None,
) -> dict[str, Any]:
    """A career step; one that points at a role the snapshot holds bears that role's name."""
    role = roles.get(step["role"]) if step["role"] else None
    name = role["name"] if role else step["name"]
    return {"name": pick(name, language), "role": step["role"]}


def build_result(
    assessment: Assessment,
    language: str | None = None,
    scores: list[scoring.RoleScore] | None = None,
) -> list[RoleResult]:
    """The result's roles in fit order; `scores` is `scores_for(assessment)` when the
    caller has it already (the result page ranks the roles once for this and the ladders)."""
    language = language or get_language()  # read once: a result picks a thousand texts
    snapshot = assessment.read_snapshot()
    skills = snapshot["skills"]
    roles = {role["code"]: role for role in snapshot["roles"]}
    labels = {value: str(label) for value, label in Level.choices}  # once, not per row
    kinds = {value: str(label) for value, label in NextStepAction.Kind.choices}
    results = []
    for rank, score in enumerate(scores or ranked(snapshot), start=1):
        role = roles[score.code]
        career = role["career"]
        results.append(
            RoleResult(
                code=score.code,
                name=pick(role["name"], language),
                summary=pick(role["summary"], language),
                fit=score.fit,
                band=scoring.band_for(score.fit),
                rank=rank,
                make_rows=partial(_skill_rows, score, skills, language, labels, kinds),
                career_from=[career_step(c, roles, language) for c in career["from"]],
                career_to=[career_step(c, roles, language) for c in career["to"]],
            )
        )
    return results


def _skill_rows(
    score: scoring.RoleScore,
    skills: Mapping[str, scoring.SnapshotSkill],
    language: str,
    labels: Mapping[int, Any],
    kinds: dict[str, Any],
) -> list[SkillRow]:
    return [skill_row(s, skills[s.skill], language, labels, kinds) for s in score.skills]


def result_document(assessment: Assessment, language: str | None = None) -> dict[str, Any]:
    """The result export contract (docs/DESIGN.md): roles in fit order, skills in gap order."""
    language = language or get_language()  # read once: a result picks a thousand texts
    snapshot = assessment.read_snapshot()
    skills = snapshot["skills"]
    roles = {role["code"]: role for role in snapshot["roles"]}
    return {
        "assessment": assessment.pk,
        "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        "scale": {"min": Level.NONE.value, "max": Level.EXPERT.value},
        # Added to the contract: "quick" results cover the core skills only, provisional.
        "mode": assessment.mode,
        "provisional": assessment.is_quick,
        "roles": [
            {
                "code": score.code,
                "name": pick(roles[score.code]["name"], language),
                "fit": score.fit,
                "skills": [
                    {
                        "code": s.skill,
                        "name": pick(skills[s.skill]["name"], language),
                        "weight": s.weight,
                        "target": s.target,
                        "level": s.level,
                        "gap": s.gap,
                        "priority": s.priority,
                    }
                    for s in score.skills
                ],
            }
            for score in ranked(snapshot)
        ],
    }


def result_export(reader, assessment: Assessment) -> dict[str, Any]:
    """The result JSON file (and the API's result): the contract and its additions."""
    from . import extensions

    document = result_document(assessment)
    for extend in extensions.RESULT_JSON:  # additions to the contract (the plan)
        document |= extend(reader, assessment)
    return document


def gaps_csv_write(document: dict[str, Any], stream) -> None:
    """The result's gaps.csv (docs/DESIGN.md, section 3) from `result_document`, written
    to a text stream: a BOM, localized headers, one row per role and skill."""
    stream.write("\ufeff")  # BOM: spreadsheet programs then read the accents right
    writer = csv_writer(stream)
    writer.writerow(
        [
            gettext("role"),
            gettext("fit"),
            gettext("skill code"),
            gettext("skill"),
            gettext("weight"),
            gettext("target"),
            gettext("level"),
            gettext("gap"),
            gettext("priority"),
            gettext("mode"),
        ]
    )
    for role in document["roles"]:
        for skill in role["skills"]:
            writer.writerow(
                [
                    role["code"],
                    role["fit"],
                    skill["code"],
                    skill["name"],
                    skill["weight"],
                    skill["target"],
                    skill["level"],
                    skill["gap"],
                    skill["priority"],
                    document["mode"],
                ]
            )


def fit_history(assessments: list[Assessment]) -> tuple[list[str], list[dict[str, Any]]]:
    """Fit per role across submitted assessments, oldest first: (role codes, rows)."""
    codes: list[str] = []
    rows: list[dict[str, Any]] = []
    for assessment in sorted(assessments, key=_submitted_at):
        fits = {score.code: score.fit for score in scores_for(assessment)}
        for code in fits:
            if code not in codes:
                codes.append(code)
        rows.append({"assessment": assessment, "fits": fits})
    for row in rows:
        row["cells"] = [row["fits"].get(code) for code in codes]
    return codes, rows


@dataclass(frozen=True)
class LatestResults:
    """What "your latest result" means: the latest full result, and the quick
    (provisional) results submitted after it, which never take its place."""

    full: Assessment | None
    newer_quick: list[Assessment]  # newest first

    @property
    def newest_quick(self) -> Assessment | None:
        return self.newer_quick[0] if self.newer_quick else None


def latest_results(results: list[Assessment]) -> LatestResults:
    """The latest full result among `results` (submitted, any order), and the quick ones
    submitted after it. A quick result is never taken as the latest full one."""
    newest_first = sorted(results, key=lambda a: (_submitted_at(a), a.pk), reverse=True)
    newer_quick: list[Assessment] = []
    for assessment in newest_first:
        if not assessment.is_quick:
            return LatestResults(full=assessment, newer_quick=newer_quick)
        newer_quick.append(assessment)
    return LatestResults(full=None, newer_quick=newer_quick)


def _submitted_at(assessment: Assessment) -> datetime:
    if assessment.submitted_at is None:  # a check constraint rules it out for a result
        raise Assessment.NotSubmitted(f"Assessment {assessment.pk} is a draft.")
    return assessment.submitted_at


def history_role_names(
    history: list[dict[str, Any]], language: str | None = None
) -> dict[str, str]:
    """Each role's name in the newest of fit_history()'s rows that has it."""
    names = {}
    for row in history:  # oldest first: a later snapshot's name wins
        for role in row["assessment"].read_snapshot()["roles"]:
            names[role["code"]] = pick(role["name"], language)
    return names


def history_chart(
    codes: list[str], history: list[dict[str, Any]], names: dict[str, str]
) -> dict[str, Any]:
    """fit_history()'s figures as the history line chart reads them (one series per role).

    A role not assessed in a result is None there: the line skips that point.
    `provisional` says, per result, whether it is a quick one: its points are drawn
    hollow, the segments to it dashed, and its label says so.
    """
    return {
        "labels": [
            date_format(timezone.localtime(row["assessment"].submitted_at), "j F Y")
            + (" (" + gettext("provisional") + ")" if row["assessment"].is_quick else "")
            for row in history
        ],
        "provisional": [row["assessment"].is_quick for row in history],
        "series": [
            {
                "code": code,
                "name": names.get(code, code),
                "data": [row["fits"].get(code) for row in history],
            }
            for code in codes
        ],
    }


@dataclass
class RequirementChange:
    name: str
    kind: str  # "added", "removed" or "changed"
    before: tuple[int, int] | None  # (weight, target)
    after: tuple[int, int] | None
    assessed: bool  # False: the person was never asked this skill (counts as 0)


@dataclass
class RoleComparison:
    code: str
    name: str
    fit_then: float
    fit_now: float | None  # None: the role is no longer in the catalogue
    is_published: bool
    changes: list[RequirementChange]

    @property
    def delta(self) -> float | None:
        return None if self.fit_now is None else round(self.fit_now - self.fit_then, 1)


def compare_with_current(
    assessment: Assessment,
    current: scoring.CatalogueSnapshot,
    published: set[str],
    language: str | None = None,
) -> list[RoleComparison]:
    """What the result would be against today's profiles, with the same levels.

    `current` is a catalogue snapshot of the same roles taken now. Skills a role
    requires today that the person was never asked count as 0, as the contract says.
    """
    snapshot = assessment.read_snapshot()
    levels = snapshot["levels"]
    then_fit = {s.code: s.fit for s in ranked(snapshot)}
    now_roles = {role["code"]: role for role in current["roles"]}
    now_fit = {
        s.code: s.fit for s in scoring.rank_roles(scoring.profiles_from_snapshot(current), levels)
    }
    names = {
        code: pick(skill["name"], language)
        for source in (snapshot, current)
        for code, skill in source["skills"].items()
    }
    comparisons = []
    for role in snapshot["roles"]:
        code = role["code"]
        before = {r["skill"]: (r["weight"], r["target"]) for r in role["requirements"]}
        now_role = now_roles.get(code)
        after = (
            {r["skill"]: (r["weight"], r["target"]) for r in now_role["requirements"]}
            if now_role
            else {}
        )
        changes = []
        for skill in list(before) + [s for s in after if s not in before]:
            old, new = before.get(skill), after.get(skill)
            if now_role is None or old == new:
                continue
            kind = "added" if old is None else "removed" if new is None else "changed"
            changes.append(
                RequirementChange(
                    name=names.get(skill, skill),
                    kind=kind,
                    before=old,
                    after=new,
                    assessed=skill in levels,
                )
            )
        comparisons.append(
            RoleComparison(
                code=code,
                name=pick((now_role or role)["name"], language),
                fit_then=then_fit[code],
                fit_now=now_fit.get(code) if now_role else None,
                is_published=code in published,
                changes=changes,
            )
        )
    return comparisons


def build_ladders(
    assessment: Assessment,
    language: str | None = None,
    scores: list[scoring.RoleScore] | None = None,
) -> list[dict[str, Any]]:
    """Per ladder among the assessed roles: the highest rung met and what the next needs
    (`scores` as for build_result)."""
    language = language or get_language()  # read once: a result picks a thousand texts
    snapshot = assessment.read_snapshot()
    skills = snapshot["skills"]
    roles = {role["code"]: role for role in snapshot["roles"]}
    by_code = {score.code: score for score in scores or ranked(snapshot)}
    ladders: dict[str, list[scoring.SnapshotRole]] = {}
    for role in snapshot["roles"]:
        if ladder := role.get("ladder"):
            ladders.setdefault(ladder, []).append(role)
    out = []
    for name, rungs in ladders.items():
        rungs.sort(key=lambda role: role.get("rank", 0))
        position = scoring.ladder_position([by_code[role["code"]] for role in rungs])
        next_rung = position.next_rung
        out.append(
            {
                "ladder": name,
                "rungs": [
                    {
                        "code": score.code,
                        "name": pick(roles[score.code]["name"], language),
                        "fit": score.fit,
                        "met": scoring.meets_rung(score),
                    }
                    for score in position.rungs
                ],
                "highest": pick(roles[position.highest_met.code]["name"], language)
                if position.highest_met
                else None,
                "next": pick(roles[next_rung.code]["name"], language) if next_rung else None,
                "shortfall": position.fit_shortfall,
                "blocking": [
                    {
                        "name": pick(skills[s.skill]["name"], language),
                        "level": s.level,
                        "target": s.target,
                        "weight": s.weight,
                    }
                    for s in scoring.blocking_gaps(next_rung)
                ]
                if next_rung
                else [],
            }
        )
    return out
