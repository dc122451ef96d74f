"""Time and profile the benchmarked pages in-process, against the `skills_bench` database.

    .venv/bin/python bench/profile.py [--runs 5] [--page dashboard] [--pyinstrument]

Run bench/run.py once first (it builds the database). Each page is requested through
Django's test client with the benchmark's settings (DEBUG off, Redis): median time,
query count and the time spent in SQL. With --pyinstrument (installed outside the
project, e.g. `pip install --target /tmp/pyinstrument-lib pyinstrument` and
PYTHONPATH=/tmp/pyinstrument-lib), prints a profile of the slowest page asked for.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", action="append", help="only these pages (name prefix)")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()

    import run  # the benchmark's settings

    os.environ.update(run.app_env())
    import django

    django.setup()
    import dataset
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    built = dataset.find()
    users = get_user_model().objects
    individual, manager = Client(), Client()
    individual.force_login(users.get(username=dataset.INDIVIDUAL))
    manager.force_login(users.get(username=dataset.MANAGER))
    team, cycle, skill = built.team_id, built.cycle_ids[-1], built.draft_skill_id
    pages = {
        "roles": (Client(), "get", "/roles/", None),
        "results": (individual, "get", f"/assessments/{built.result_id}/", None),
        "step": (individual, "get", f"/assessments/{built.draft_id}/step/1/", None),
        "autosave": (
            individual,
            "post",
            f"/assessments/{built.draft_id}/answers/{skill}/",
            lambda i: {f"s{skill}-level": str(i % 5)},
        ),
        "dashboard": (manager, "get", f"/teams/{team}/cycles/{cycle}/", None),
        "csv": (manager, "get", f"/teams/{team}/cycles/{cycle}/matrix.csv", None),
    }
    if args.page:
        pages = {k: v for k, v in pages.items() if any(k.startswith(p) for p in args.page)}

    print(f"{'page':<10} {'median ms':>10} {'min ms':>8} {'queries':>8} {'SQL ms':>8}")
    for name, (client, method, url, data) in pages.items():
        call = getattr(client, method)
        call(url, data(0) if data else None)  # warm-up
        timings, sql = [], []
        for i in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = call(url, data(i + 1) if data else None)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, response.status_code)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        print(
            f"{name:<10} {statistics.median(timings):>10.1f} {min(timings):>8.1f} "
            f"{len(queries):>8} {statistics.median(sql):>8.1f}"
        )
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            call(url, data(99) if data else None)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.cprofile:
            # This file is named like the standard library's `profile`, which cProfile
            # imports: look it up without this folder on the path.
            sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
            sys.modules.pop("profile", None)
            import cProfile
            import pstats

            prof = cProfile.Profile()
            repeat = int(os.environ.get("REPEAT", "1"))  # more calls: steadier shares
            prof.enable()
            for i in range(repeat):
                call(url, data(98 + i) if data else None)
            prof.disable()
            pstats.Stats(prof).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
                int(os.environ.get("N", "40"))
            )


if __name__ == "__main__":
    main()
