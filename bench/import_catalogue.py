"""Time the CSV import of a generated catalogue into the configured database.

    .venv/bin/python bench/import_catalogue.py [--skills 300] [--roles 10] [--commit]

The file holds categories of 30 skills, each with 4 level descriptors and 4 actions,
and roles with 40 requirements each; its codes start with "bench-". Without --commit
the import is a dry run: every row is written, then rolled back.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def generated_document(*, skills: int, roles: int, requirements: int = 40) -> dict:
    def text(fr: str, en: str) -> dict[str, str]:
        return {"fr": fr, "en": en}

    codes = [f"bench-skill-{i}" for i in range(skills)]
    categories = [
        {
            "code": f"bench-category-{c}",
            "name": text(f"Catégorie {c}", f"Category {c}"),
            "skills": [
                {
                    "code": code,
                    "name": text(f"Compétence {code}", f"Skill {code}"),
                    "description": text("Ce que recouvre la compétence.", "What it covers."),
                    "levels": {str(lv): text(f"Niveau {lv}", f"Level {lv}") for lv in range(1, 5)},
                    "actions": [
                        {"level": lv, "kind": "training", "title": text("Formation", "Training")}
                        for lv in range(1, 5)
                    ],
                }
                for code in codes[c : c + 30]
            ],
        }
        for c in range(0, skills, 30)
    ]
    return {
        "categories": categories,
        "roles": [
            {
                "code": f"BENCH-{r}",
                "name": text(f"Rôle {r}", f"Role {r}"),
                "requirements": [
                    {"skill": code, "weight": i % 5 + 1, "target": i % 4 + 1}
                    for i, code in enumerate(codes[r % 3 :: 3][:requirements])
                ],
                "career": {"to": [{"name": text("Suivant", "Next"), "role": f"BENCH-{r + 1}"}]},
            }
            for r in range(roles)
        ]
        + [{"code": f"BENCH-{roles}", "published": False, "name": text("Fin", "End")}],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", type=int, default=300)
    parser.add_argument("--roles", type=int, default=10)
    parser.add_argument("--commit", action="store_true", help="keep the imported rows")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from careers.interchange import dump_csv, import_catalogue, parse_csv

    document = generated_document(skills=args.skills, roles=args.roles)
    path = Path(tempfile.gettempdir()) / "catalogue-benchmark.csv"
    path.write_text(dump_csv(document), encoding="utf-8")
    raw = path.read_bytes()
    rows = raw.count(b"\n") - 1

    start = time.perf_counter()
    parsed = parse_csv(raw)
    checked = time.perf_counter()
    report = import_catalogue(document=parsed, dry_run=not args.commit)
    seconds = time.perf_counter() - start
    assert report.total("created") + report.total("unchanged") + report.total("updated") == rows

    print(f"file: {path} ({len(raw) / 1000:.0f} kB)")
    print(f"database: {connection.vendor}, {'committed' if args.commit else 'dry run'}")
    print(f"rows: {rows}")
    print(f"read and check: {checked - start:.2f} s")
    print(f"seconds: {seconds:.2f}")
    print(f"rows/second: {rows / seconds:.0f}")


if __name__ == "__main__":
    main()
