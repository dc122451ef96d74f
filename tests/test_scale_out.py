"""Two app servers and one worker behave as one (README, "Running several app servers").

Two gunicorn processes on free loopback ports and one Celery worker, all on this test's
PostgreSQL database (migrated, the catalogue loaded) and one Redis (the cache on one
database number, the broker on another). Plain HTTP clients with their own cookie jars
then check, across the two servers: the session, a kept page changed through the other
server, a task asked on one, made by the worker and downloaded from the other, the
log-in throttle, and an API token.

Runs only on PostgreSQL (CI's second pass): SQLite's test database is in memory.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core.management import call_command
from django.db import connection

from tests.worker import redis_up

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL): the servers share the test's database",
    ),
    pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379"),
    pytest.mark.skipif(
        shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None,
        reason="no gunicorn",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CACHE_URL = "redis://127.0.0.1:6379/13"
BROKER_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "correct-horse-battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def app_env() -> dict[str, str]:
    """What every process must share: the database, Redis, the broker, the secret key
    and the release (README)."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=CACHE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        SECRET_KEY="scale-out-test-secret-key-" + "x" * 30,
        RELEASE="scale-out-test",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="0",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("PRODUCTION", None)  # no HTTPS on this loopback
    return env


def start(command: list[str], log: Path) -> subprocess.Popen:
    output = log.open("wb")
    return subprocess.Popen(
        command, cwd=ROOT, env=app_env(), stdout=output, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def gunicorn(port: int, log: Path) -> subprocess.Popen:
    return start(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        log,
    )


def wait_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    import requests

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not answer: {log.read_text()[-3000:]}")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def csrf(session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, url
    return found.group(1)


def log_in(session, base: str, username: str, password: str):
    token = csrf(session, f"{base}/accounts/login/")
    return session.post(
        f"{base}/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=20,
        allow_redirects=False,
    )


def redis_keys(url: str) -> int:
    import redis

    return redis.Redis.from_url(url).dbsize()


@pytest.fixture
def people(settings, tmp_path):
    """The catalogue, a team managed by olivia with 3 members who submitted, bob (one of
    them) with a password too: real password hashes, which the servers check."""
    from careers.models import Role
    from tests.teams.test_cycle_pdf import make_team

    call_command("load_catalogue", verbosity=0)
    roles = list(Role.objects.order_by("order", "code")[:2])
    cycle, olivia, _bob, _place, places = make_team(roles, members=3)
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    member = places[0].user
    for user in (olivia, member):
        user.set_password(PASSWORD)
        user.save()
    return {"cycle": cycle, "olivia": olivia, "member": member}


def test_two_app_servers_and_one_worker_behave_as_one(people, tmp_path):
    import requests
    from axes.models import AccessAttempt
    from django_celery_results.models import TaskResult

    from teams.models import CycleExport

    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=app_env(), check=True, timeout=120,
    )  # fmt: skip
    for url in (CACHE_URL, BROKER_URL):
        flush(url)
    a, b = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b", "worker")}
    processes: list[subprocess.Popen] = []
    started = time.monotonic()
    try:
        processes.append(gunicorn(int(a.rsplit(":", 1)[1]), logs["a"]))
        processes.append(gunicorn(int(b.rsplit(":", 1)[1]), logs["b"]))
        processes.append(
            start(
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "WARNING",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                ],
                logs["worker"],
            )  # fmt: skip
        )
        wait_healthy(a, processes[0], logs["a"])
        wait_healthy(b, processes[1], logs["b"])
        cycle, olivia = people["cycle"], people["olivia"]
        dashboard = f"/teams/{cycle.team_id}/cycles/{cycle.pk}/"

        # 1. Signed in on A, the same session on B.
        manager = requests.Session()
        assert log_in(manager, a, olivia.username, PASSWORD).status_code == 302
        on_b = manager.get(f"{b}/teams/{cycle.team_id}/", timeout=10)
        assert on_b.status_code == 200 and "Plateforme" in on_b.text
        assert "/accounts/login/" not in on_b.url

        # 2. The kept dashboard, rendered on A, is served by B from the same Redis; a
        # change made through B is seen on A at once.
        assert manager.get(a + dashboard, timeout=20).status_code == 200
        kept = redis_keys(CACHE_URL)
        assert kept > 0, "the page is kept in the shared Redis"
        assert manager.get(b + dashboard, timeout=20).status_code == 200
        assert redis_keys(CACHE_URL) == kept, "B found what A kept: nothing new to keep"
        token = csrf(manager, f"{b}/teams/{cycle.team_id}/")
        renamed = manager.post(
            f"{b}/teams/{cycle.team_id}/rename/",
            {"name": "Plateforme Données", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{b}/teams/{cycle.team_id}/"},
            timeout=10,
            allow_redirects=False,
        )
        assert renamed.status_code == 302
        assert "Plateforme Données" in manager.get(a + dashboard, timeout=20).text

        # 3. A file asked on A is made by the worker and downloaded from B.
        asked = manager.get(f"{a}/teams/{cycle.team_id}/cycles/{cycle.pk}/matrix.xlsx",
                            timeout=10, allow_redirects=False)  # fmt: skip
        assert asked.status_code == 302, "a worker makes it: the files page says so"
        files = f"{b}/teams/{cycle.team_id}/cycles/{cycle.pk}/exports/"
        download = f"/teams/{cycle.team_id}/cycles/{cycle.pk}/matrix.xlsx"
        deadline = time.monotonic() + 30
        while download not in manager.get(files, timeout=10).text:
            assert time.monotonic() < deadline, logs["worker"].read_text()[-3000:]
            time.sleep(0.3)
        file = manager.get(b + download, timeout=10)
        assert file.status_code == 200 and file.content[:2] == b"PK"
        assert CycleExport.objects.get(format="xlsx").status == "ready"
        assert TaskResult.objects.filter(
            task_name="teams.tasks.build_export", status="SUCCESS"
        ).exists(), "the worker's result, in the shared database"

        # 4. Log-in failures are counted across both servers: 3 on A, 2 on B lock the
        # pair out, and the right password is then refused on A.
        member = people["member"].username
        for base in (a, a, a, b, b):
            failed = log_in(requests.Session(), base, member, "wrong password")
            assert failed.status_code in (200, 429), failed.status_code
        assert AccessAttempt.objects.get(username=member).failures_since_start == 5
        locked = log_in(requests.Session(), a, member, PASSWORD)
        assert locked.status_code == 429, "locked out after failures on both servers"

        # 5. An API token made on A opens the API on B.
        token = csrf(manager, f"{a}/accounts/tokens/")
        made = manager.post(
            f"{a}/accounts/tokens/",
            {"name": "scale-out", "scope": "read", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{a}/accounts/tokens/"},
            timeout=10,
        )
        secret = re.search(r"<code[^>]*data-secret>([^<]+)</code>", made.text).group(1)
        teams = requests.get(
            f"{b}/api/v1/teams/", headers={"Authorization": f"Bearer {secret}"}, timeout=10
        )
        assert teams.status_code == 200 and "Plateforme Données" in teams.text
        anonymous = requests.get(f"{b}/api/v1/teams/", timeout=10)
        assert anonymous.status_code in (401, 403)
    finally:
        stop(processes)
        for url in (CACHE_URL, BROKER_URL):
            flush(url)
    print(f"scale-out: {time.monotonic() - started:.1f} s")
