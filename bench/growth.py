"""The growth series, in-process: how the team board and the result page grow with size.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/growth.py [--members 10 50 200 1000]
        [--roles 1 3 8] [--json]

Run by bench/run.py in a scratch database of its own (it migrates it and loads the
catalogue; every figure is the median of --runs requests through Django's test client,
with the benchmark's settings). For each team size: the board cold (nothing kept), warm
(kept), and after one manager rating changes; its HTML bytes, gzipped bytes and queries.
For each number of roles: the result page cold (its kept rendering dropped), with an
empty cache, and warm. With --json the
last line is the figures as JSON.
"""

import argparse
import gzip
import json
import os
import random
import statistics
import sys
import time
from functools import partial
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def timed(client, url: str, runs: int, before=None) -> tuple[float, int, bytes]:
    """Median ms of GET `url` over `runs`, `before()` run untimed ahead of each; the last
    response's query count and body."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(runs):
        if before:
            before()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings), len(queries), response.content


def dashboard_series(sizes: list[int], runs: int) -> list[dict]:
    rng = random.Random(1)
    rows = []
    for size in sizes:
        rows.append(_board(size, rng, runs))
        print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def _board(size: int, rng: random.Random, runs: int) -> dict:
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from team_dashboard import build_team

    from teams import services as team_services

    manager, team, cycle = build_team(size, rng)
    client = Client()
    client.force_login(manager)
    url = reverse("teams:cycle", args=[team.pk, cycle.pk])
    cold, cold_queries, _ = timed(client, url, runs, cache.clear)
    client.get(url)
    warm, warm_queries, html = timed(client, url, runs)
    assessment = cycle.assessments.filter(status="submitted").first()
    skill = assessment.answers.values_list("skill_id", flat=True).first()
    levels = iter(range(10**6))

    def one_rating() -> None:
        team_services.ratings_save(
            assessment=assessment, manager=manager, values={skill: (next(levels) % 5, "")}
        )

    changed, changed_queries, _ = timed(client, url, runs, one_rating)
    return {
        "members": size,
        "cold_ms": cold,
        "cold_queries": cold_queries,
        "warm_ms": warm,
        "warm_queries": warm_queries,
        "after_one_rating_ms": changed,
        "after_one_rating_queries": changed_queries,
        "html_bytes": len(html),
        "gzip_bytes": len(gzip.compress(html, 6)),
    }


def result_series(role_counts: list[int], runs: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from assessments.services import AnswerInput, answers_save, assessment_start, assessment_submit
    from careers.models import Role
    from careers.selectors import questionnaire_steps

    roles = list(Role.objects.filter(is_published=True).order_by("pk"))
    rng = random.Random(2)
    rows = []
    for count in role_counts:
        user = get_user_model().objects.create_user(f"growth-result-{count}", password="x")
        chosen = roles[:count]
        draft = assessment_start(owner=user, roles=chosen)
        steps = questionnaire_steps([r.pk for r in chosen])
        skills = [skill for step in steps for skill in step.skills]
        answers_save(
            assessment=draft, values={s.pk: AnswerInput(rng.randint(0, 4), "") for s in skills}
        )
        result = assessment_submit(assessment=draft)
        client = Client()
        client.force_login(user)
        url = reverse("assessments:detail", args=[result.pk])
        kept = f"result-page:{result.pk}:{user.pk}:fr:"  # assessments.views.assessment_detail
        client.get(url)
        cold, cold_queries, html = timed(client, url, runs, partial(cache.delete, kept))
        empty, empty_queries, _ = timed(client, url, runs, cache.clear)
        warm, warm_queries, _ = timed(client, url, runs)
        rows.append(
            {
                "roles": count,
                "skills": len(skills),
                "empty_cache_ms": empty,
                "empty_cache_queries": empty_queries,
                "cold_ms": cold,
                "cold_queries": cold_queries,
                "warm_ms": warm,
                "warm_queries": warm_queries,
                "html_bytes": len(html),
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="*", default=[10, 50, 200, 1000])
    parser.add_argument("--roles", type=int, nargs="*", default=[1, 3, 8])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    import io

    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=io.StringIO())
    cache.clear()
    figures = {
        "results": result_series(args.roles, args.runs),
        "dashboard": dashboard_series(args.members, args.runs),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for name, rows in figures.items():
            for row in rows:
                print(name, row)


if __name__ == "__main__":
    main()
