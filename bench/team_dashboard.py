"""Time the team dashboard and the matrix export, and count their queries.

    .venv/bin/python bench/team_dashboard.py [--members 10 50] [--reuse]

Works in a scratch SQLite database (or DATABASE_URL if set): migrates, loads the
catalogue, and builds one team per size with that many members, each with a submitted
TPM assessment, manager ratings on a third of the skills, and a previous cycle (closed).
`--reuse` keeps the teams an earlier run built in DATABASE_URL.

For the dashboard it prints: warm (the kept board), after one rating change (the board
worked out again, the other members' scored rows kept), cold (an empty cache), the
board's HTML bytes per member, and /healthz (no query) and a one-query view beside them.
"""

import argparse
import io
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"


def build_team(size: int, rng: random.Random):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assessments.services import AnswerInput, answers_save, assessment_submit
    from careers.models import Role
    from teams import services as team_services
    from teams.models import ReviewCycle, TeamMembership

    user_model = get_user_model()
    role = Role.objects.get(code="TPM")
    existing = user_model.objects.filter(username=f"bench-manager-{size}").first()
    if existing is not None:
        team = existing.team_memberships.get().team
        return existing, team, team.cycles.order_by("-opened_at").first()
    manager = user_model.objects.create_user(f"bench-manager-{size}", password="x")
    team = team_services.team_create(manager=manager, name=f"Bench {size}")
    members = [
        TeamMembership.objects.create(
            team=team,
            # No password: hashing one takes ~0.5 s here, and members never sign in.
            user=user_model.objects.create_user(f"bench-{size}-{i}", password=None),
            target_role=role,
        )
        for i in range(size)
    ]
    cycles = []
    for months_ago in (6, 0):
        cycle = team_services.cycle_open(
            team=team, name=f"Cycle -{months_ago}", due_date=timezone.localdate()
        )
        ReviewCycle.objects.filter(pk=cycle.pk).update(
            opened_at=timezone.now() - timedelta(days=30 * months_ago + 1)
        )
        for membership in members:
            assessment = team_services.cycle_assessment_start(cycle=cycle, membership=membership)
            skills = list(role.skills.all())
            answers_save(
                assessment=assessment,
                values={s.pk: AnswerInput(rng.randint(0, 4), "") for s in skills},
            )
            assessment = assessment_submit(assessment=assessment)
            team_services.ratings_save(
                assessment=assessment,
                manager=manager,
                values={s.pk: (rng.randint(0, 4), "") for s in skills[::3]},
            )
        if months_ago:
            team_services.cycle_close(cycle=cycle)
        cycles.append(cycle)
    return manager, team, cycles[-1]


def measure(client, url: str, runs: int = 5) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return sorted(timings)[len(timings) // 2] * 1000, len(queries)


def median_ms(timings: list[float]) -> float:
    return sorted(timings)[len(timings) // 2] * 1000


def dashboard_figures(client, manager, team, cycle, url: str, runs: int = 5) -> dict:
    """Warm, after one rating change, cold; the board's bytes per member; its queries."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Assessment
    from teams import services as team_services

    figures: dict = {}
    figures["warm"], figures["warm_queries"] = measure(client, url, runs)
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("cycle")[:runs])
    skill = assessments[0].roles.get().skills.order_by("pk")[1]
    changed, queries = [], 0
    for assessment in assessments:
        client.get(url)
        rating = assessment.ratings.filter(skill=skill).first()
        level = (rating.level + 1) % 5 if rating else 2
        team_services.ratings_save(
            assessment=assessment, manager=manager, values={skill.pk: (level, "")}
        )
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            changed.append(time.perf_counter() - start)
        queries = len(captured)
    figures["changed"], figures["changed_queries"] = median_ms(changed), queries
    cold = []
    for _ in range(runs):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            cold.append(time.perf_counter() - start)
        queries = len(captured)
    figures["cold"], figures["cold_queries"] = median_ms(cold), queries
    members = team.memberships.filter(kind="member").count()
    figures["bytes"] = len(response.content) / members
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--reuse", action="store_true", help="keep the teams built before")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0, stdout=io.StringIO())
    rng = random.Random(1)
    baseline = Client()
    ms, queries = measure(baseline, reverse("healthz"), 21)
    print(f"/healthz {ms:.2f} ms, {queries} queries")
    baseline.force_login(build_team(1, rng)[0])
    ms, queries = measure(baseline, reverse("teams:list"), 21)
    print(f"/teams/ (one membership) {ms:.2f} ms, {queries} queries")
    print(f"{'members':>8} {'page':<10} {'median ms':>10} {'queries':>8}")
    for size in args.members:
        manager, team, cycle = build_team(size, rng)
        client = Client()
        client.force_login(manager)
        url = reverse("teams:cycle", args=[team.pk, cycle.pk])
        board = dashboard_figures(client, manager, team, cycle, url)
        for label in ("warm", "changed", "cold"):
            ms, queries = board[label], board[f"{label}_queries"]
            print(f"{size:>8} {'board ' + label:<14} {ms:>6.1f} {queries:>8}")
        print(f"{size:>8} {'HTML bytes per member':<22} {board['bytes']:.0f}")
        for label, url in [
            ("csv", reverse("teams:cycle_matrix", args=[team.pk, cycle.pk, "csv"])),
            ("json", reverse("teams:cycle_matrix", args=[team.pk, cycle.pk, "json"])),
        ]:
            ms, queries = measure(client, url)
            print(f"{size:>8} {label:<10} {ms:>10.1f} {queries:>8}")


if __name__ == "__main__":
    main()
