"""Redis is an accelerator, not a single point of failure (issue 13, point 1).

Each test starts its own redis-server on a free port, points the cache at it as the
settings do with REDIS_URL (config.settings.REDIS_CACHE), and stops it in the middle:
signed-in pages, log-in, login throttling, autosave and submit answer from the
database, nobody is logged out, every answer is written; once the server is back on the
same port the cache is used again, without restarting anything.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from importlib import import_module

import pytest
import redis
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment
from assessments.selectors import questionnaire_for
from assessments.services import assessment_start
from careers.models import Role
from careers.selectors import published_codes
from careers.signals import catalogue_version
from config.settings import REDIS_CACHE, REDIS_TIMEOUT_SECONDS
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.access(REDIS_SERVER, os.X_OK),
        reason="redis-server is not installed (apt-get install redis-server): "
        "the Redis fault tests need a server of their own to stop",
    ),
]

PASSWORD = "correct-horse-battery"  # UserFactory's


class RedisServer:
    """A redis-server of the test's own, on a free port, keeping nothing on disk."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def key_count(self) -> int:
        return int(redis.Redis.from_url(self.url).dbsize())


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(settings, redis_server):
    """The cache as REDIS_URL configures it, on the test's own server."""
    settings.CACHES = {"default": {**REDIS_CACHE, "LOCATION": redis_server.url}}
    cache.clear()
    return redis_server


@pytest.fixture
def world(individual, catalogue):
    """alice's draft, her submitted result, and the team board olivia manages."""
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    membership = TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[0])
    result = submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    return {
        "draft": assessment_start(owner=individual, roles=catalogue),
        "result": result,
        "manager": manager,
        "board": cycle.get_absolute_url(),
    }


def log_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def autosave(client, assessment, skill, level):
    return client.post(
        reverse("assessments:answer", args=[assessment.pk, skill.pk]),
        {f"s{skill.pk}-level": str(level)},
    )


def signed_in_pages(world) -> list[str]:
    draft, result = world["draft"], world["result"]
    return [
        reverse("assessments:list"),
        reverse("assessments:new"),
        reverse("assessments:step", args=[draft.pk, 1]),
        reverse("assessments:review", args=[draft.pk]),
        result.get_absolute_url(),
        reverse("assessments:compare", args=[result.pk]),
        reverse("assessments:simulate", args=[result.pk]),
        reverse("assessments:result_csv", args=[result.pk]),
        reverse("account"),
    ]


def test_the_settings_keep_sessions_and_lockouts_in_the_database_and_ignore_a_dead_redis():
    script = (
        "from django.conf import settings as s; "
        "print(repr((s.CACHES, s.SESSION_ENGINE, s.AXES_HANDLER)))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env={**environ, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": "redis://x/1"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    caches, session_engine, axes_handler = eval(out)  # noqa: S307 - our own settings' repr

    assert list(caches) == ["default"]
    assert caches["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert caches["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert caches["default"]["OPTIONS"]["SOCKET_TIMEOUT"] <= 1
    # Sessions live in the database, never in Redis: a log-out must hold during a partition.
    assert session_engine == "accounts.sessions"
    assert issubclass(import_module(session_engine).SessionStore, db.SessionStore)
    assert axes_handler == "axes.handlers.database.AxesDatabaseHandler"


def test_with_redis_stopped_signed_in_pages_autosave_and_submit_keep_working(
    client, redis_cache, world
):
    draft = world["draft"]
    assert log_in(client, "alice").status_code == 302
    for url in signed_in_pages(world):
        assert client.get(url).status_code == 200, url
    assert redis_cache.key_count() > 0  # the cache was in use

    redis_cache.stop()

    for url in signed_in_pages(world):
        assert client.get(url).status_code == 200, url
    skills = [skill for step in questionnaire_for(draft).steps for skill in step.skills]
    for i, skill in enumerate(skills):
        assert autosave(client, draft, skill, i % 5).status_code == 200
    expected = {skill.pk: i % 5 for i, skill in enumerate(skills)}
    assert dict(Answer.objects.filter(assessment=draft).values_list("skill_id", "level")) == (
        expected
    )
    submit = client.post(reverse("assessments:review", args=[draft.pk]))
    assert submit.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED
    result_page = client.get(submit["Location"])
    assert result_page.status_code == 200
    assert "Votre analyse des écarts" in result_page.text
    assert client.session[SESSION_KEY] == str(world["draft"].owner.pk)  # still signed in


def test_with_redis_stopped_log_in_log_out_and_the_team_board_work(client, redis_cache, world):
    redis_cache.stop()

    assert log_in(client, "olivia").status_code == 302
    first = client.get(world["board"])
    again = client.get(world["board"])
    assert first.status_code == again.status_code == 200
    assert "alice" in first.text and "alice" in again.text
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(world["board"]).status_code == 302  # to the login page
    assert SESSION_KEY not in client.session


def test_with_redis_stopped_failed_logins_still_lock_the_pair_out(client, redis_cache, individual):
    redis_cache.stop()

    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert log_in(client, "alice", "wrong-password").status_code in (200, 429)

    assert AccessAttempt.objects.get(username="alice").failures_since_start == 5
    locked = log_in(client, "alice")
    assert locked.status_code == 429
    assert SESSION_KEY not in client.session


def test_nobody_is_logged_out_when_redis_stops_or_returns(client, redis_cache, world):
    assert log_in(client, "alice").status_code == 302
    home = reverse("assessments:list")

    redis_cache.stop()
    assert client.get(home).status_code == 200
    redis_cache.start()  # empty: it keeps nothing on disk

    assert client.get(home).status_code == 200
    assert client.session[SESSION_KEY] == str(world["draft"].owner.pk)


def test_when_redis_returns_on_its_port_it_is_used_again_without_a_restart(
    client, redis_cache, world
):
    client.force_login(world["draft"].owner)
    result = world["result"].get_absolute_url()
    redis_cache.stop()
    assert client.get(result).status_code == 200

    redis_cache.start()
    assert redis_cache.key_count() == 0
    first = client.get(result)
    assert redis_cache.key_count() > 0
    kept = client.get(result)

    assert first.status_code == kept.status_code == 200
    assert first.context is not None and kept.context is None  # made, then served kept


def test_a_dead_redis_costs_milliseconds_not_seconds(redis_cache):
    redis_cache.stop()

    started = time.monotonic()
    for _ in range(20):
        assert cache.get("anything") is None
        cache.set("anything", 1)
    elapsed = time.monotonic() - started

    assert elapsed < 20 * REDIS_TIMEOUT_SECONDS  # each call well within its timeout


def test_with_redis_stopped_the_catalogue_version_is_never_reused(redis_cache, catalogue):
    """A dead cache keeps no version: each reader draws its own, so nothing kept under
    one is read again, and a catalogue change shows at once."""
    kept = catalogue_version()
    assert catalogue_version() == kept  # Redis up: one version for everyone
    redis_cache.stop()

    drawn = {catalogue_version() for _ in range(5)}
    assert len(drawn) == 5 and kept not in drawn
    assert published_codes() == ["AAA", "BBB"]
    Role.objects.filter(code="BBB").update(is_published=False)  # no signal: as an import
    assert published_codes() == ["AAA"]
