"""A third-party skills framework, as an editor would convert one to the import format.

Generated, not copied from any framework: categories of skills with a descriptor and
behavioural indicators per level, learning resources with links, providers, durations,
costs and languages, and roles requiring the skills. `only` makes it single-language (the
other language repeats it, as a converted file does), `prefix` names its codes.
"""

from typing import Any

PROVIDERS = ["Open Learning Institute", "Association des chefs de projet", "Campus Numérique"]


def _text(fr: str, en: str, only: str | None) -> dict[str, str]:
    if only == "fr":
        return {"fr": fr, "en": fr}
    if only == "en":
        return {"fr": en, "en": en}
    return {"fr": fr, "en": en}


def framework_document(
    *,
    skills: int = 160,
    per_category: int = 20,
    roles: int = 6,
    prefix: str = "fw",
    only: str | None = None,
) -> dict[str, Any]:
    """A framework of `skills` skills, each with 4 levels, 2 to 3 indicators per level and
    language, and one resource per level (a link for most of them)."""
    categories: list[dict[str, Any]] = []
    codes: list[str] = []
    for n in range(skills):
        if n % per_category == 0:
            c = n // per_category
            categories.append(
                {
                    "code": f"{prefix}-domain-{c}",
                    "name": _text(f"Domaine {c}", f"Domain {c}", only),
                    "description": _text("", "", only),
                    "skills": [],
                }
            )
        code = f"{prefix}-skill-{n}"
        codes.append(code)
        categories[-1]["skills"].append(_skill(code, n, only))
    document: dict[str, Any] = {"categories": categories, "roles": []}
    for r in range(roles):
        document["roles"].append(
            {
                "code": f"{prefix.upper()}-ROLE-{r}",
                "published": True,
                "name": _text(f"Rôle {r} du référentiel", f"Framework role {r}", only),
                "summary": _text("", "", only),
                "requirements": [
                    {"skill": code, "weight": i % 5 + 1, "target": i % 4 + 1}
                    for i, code in enumerate(codes[r::roles][:30])
                ],
                "career": {"from": [], "to": []},
            }
        )
    return document


def _skill(code: str, n: int, only: str | None) -> dict[str, Any]:
    indicators = {}
    for level in range(1, 5):
        count = 2 + (n + level) % 2
        indicators[str(level)] = {
            lang: [f"{word} {n}.{level}.{i}" for i in range(count)]
            for lang, word in (("fr", "Observe"), ("en", "Observed"))
        }
        if only:
            other = "en" if only == "fr" else "fr"
            indicators[str(level)][other] = indicators[str(level)][only]
    return {
        "code": code,
        "name": _text(f"Compétence {n}", f"Skill {n}", only),
        "description": _text(
            f"Ce que recouvre la compétence {n}.", f"What skill {n} covers.", only
        ),
        "levels": {
            str(level): _text(f"Niveau {level} en {n}.", f"Level {level} in {n}.", only)
            for level in range(1, 5)
        },
        "indicators": indicators,
        "actions": [_action(n, level, only) for level in range(1, 5)],
    }


def _action(n: int, level: int, only: str | None) -> dict[str, Any]:
    action: dict[str, Any] = {
        "level": level,
        "kind": ["reading", "training", "certification", "mentoring"][level - 1],
        "title": _text(f"Ressource {n}.{level}", f"Resource {n}.{level}", only),
        "detail": _text("", "", only),
    }
    if (n + level) % 5:  # four resources in five have a link
        action["url"] = f"https://learning.example.org/{n}/{level}?lang=fr&from=import"
        action["provider"] = PROVIDERS[(n + level) % len(PROVIDERS)]
        action["duration"] = _text(f"{level * 7} heures", f"{level * 7} hours", only)
        action["language"] = ["fr", "en", "de"][n % 3]
        if level >= 3:
            action |= {"cost": "paid", "price": f"{level * 150} EUR"}
        else:
            action["cost"] = "free"
    return action
