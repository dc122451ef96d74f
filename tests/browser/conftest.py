"""Real-browser tests: Playwright drives Debian's Chromium against Django's live server.

`make test-browser` runs them (`make test` leaves them out). Each test gets an empty
database (the live server needs real transactions, so tables are emptied between
tests): the fixtures below seed what a test needs. Screenshots of the pages visited are
saved in `screenshots/` (git-ignored; SCREENSHOTS_DIR changes it) and the run prints
that folder and the accessibility figures per page at the end.
"""

import logging
import os
import shutil
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import helpers

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
PASSWORD = "correct-horse-battery"


# A loaded CI machine (two cores, the other suites just run) can be slow to answer.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session", autouse=True)
def _sync_playwright_and_django():
    """Playwright's sync API runs an event loop in the test thread; Django would then
    refuse the ORM calls the tests make between browser actions."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, tmp_path_factory):
    """SQLite: a test database in a file rather than in memory. The live server's threads
    then each have their own connection, as in production, instead of all sharing the
    test's (concurrent autosaves then fail with "database table is locked")."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("database") / "browser-tests.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)
        # A throwaway database: no need to wait for the disk.
        database.setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.exit(f"Chromium is not at {CHROMIUM}: apt-get install -y chromium", returncode=3)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
    }


@pytest.fixture(scope="session")
def screenshot_dir():
    path = Path(os.environ.get("SCREENSHOTS_DIR", settings.BASE_DIR / "screenshots")).resolve()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    helpers.REPORT.screenshots = path
    return path


@pytest.fixture
def shoot(screenshot_dir):
    """shoot(page, name): saves <name>-<width>.png (full page on small screens)."""

    def _shoot(page, name: str) -> Path:
        width = page.viewport_size["width"]
        path = screenshot_dir / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=width < 600, animations="disabled")
        return path

    return _shoot


def log_in(context, user, base_url: str) -> None:
    """Give the browser context a session for `user` without going through the form."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])


class _ServerErrors(logging.Handler):
    """The live server's errors (django.request logs each 500 with its traceback)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(logging.Formatter().format(record))


@pytest.fixture
def open_page(new_context, live_server):
    """open_page(user=None, *, phone=False, axe=False, language=None) -> a new page in a
    new browser context; `language` ("fr" or "en") sets the language cookie. Uncaught
    JavaScript errors and console errors (such as content security policy violations)
    fail the test. `axe=True` bypasses the content security policy so that axe-core can
    be injected: only for the accessibility checks."""
    errors: list[str] = []
    server = _ServerErrors()
    logging.getLogger("django.request").addHandler(server)

    def _open(user=None, *, phone=False, axe=False, language=None):
        options = {"viewport": PHONE, "is_mobile": True} if phone else {"viewport": DESKTOP}
        context = new_context(bypass_csp=axe, **options)
        if language is not None:
            cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language}
            context.add_cookies([{**cookie, "url": live_server.url}])
        if user is not None:
            log_in(context, user, live_server.url)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.on(
            "response",
            lambda r: errors.append(f"{page.url}: {r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on(
            "console",
            lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None,
        )
        return page

    yield _open
    logging.getLogger("django.request").removeHandler(server)
    assert server.records == [], "server errors:\n" + "\n".join(server.records)
    assert errors == [], "JavaScript or console errors:\n" + "\n".join(errors)


# Data. Tables are emptied after each live-server test, migrations' data included.


@pytest.fixture
def real_catalogue(live_server):
    call_command("load_catalogue", stdout=StringIO())


@pytest.fixture
def small_catalogue(live_server):
    from tests.conftest import build_catalogue

    return build_catalogue()


@pytest.fixture
def editors_group(live_server):
    """The group a migration creates (gone once a live-server test has emptied the tables)."""
    group, _created = Group.objects.get_or_create(name="Catalogue editors")
    group.permissions.set(Permission.objects.filter(content_type__app_label="careers"))
    return group


@pytest.fixture
def make_user(live_server) -> Callable:
    from tests.factories import UserFactory

    return lambda username, **kwargs: UserFactory(username=username, password=PASSWORD, **kwargs)


@pytest.fixture
def demo_world(real_catalogue, editors_group, make_user):
    """The demo team (manager, ten members, two cycles), a personal result over every
    shipped role for the first member, and a catalogue editor: every main page has
    content, at the catalogue's real size."""
    from django.contrib.auth import get_user_model

    from assessments.models import Assessment
    from assessments.services import assessment_start
    from careers.models import Role
    from teams.models import ReviewCycle
    from tests.assessments.helpers import submitted

    call_command("demo_team", stdout=StringIO())
    users = get_user_model().objects
    member = users.get(username="demo-member-1")
    pattern = [2, 3, 1, 2, 4, 3, 2, 1, 3]
    personal = submitted(
        assessment_start(owner=member, roles=Role.objects.filter(is_published=True)),
        level_for=lambda i: pattern[i % len(pattern)],
    )
    manager = users.get(username="demo-manager")
    cycle = ReviewCycle.objects.filter(closed_at=None).get()
    editor = make_user("edith", is_staff=True)
    editor.groups.add(editors_group)
    draft = Assessment.objects.get(cycle=cycle, owner__username="demo-member-10")
    unrated = Assessment.objects.get(cycle=cycle, owner__username="demo-member-3")
    shared = Assessment.objects.get(cycle=cycle, owner=member)
    tpm = Role.objects.get(code="TPM")
    return SimpleNamespace(
        member=member,
        draft_owner=draft.owner,
        manager=manager,
        editor=editor,
        urls={
            "result": reverse("assessments:detail", args=[personal.pk]),
            "history": reverse("assessments:list"),
            "simulator": reverse("assessments:simulate", args=[personal.pk]),
            "path": reverse("assessments:path", args=[personal.pk, "TPM"]),
            "compare": reverse("assessments:compare", args=[personal.pk]),
            "shared-review": reverse("teams:shared_review", args=[shared.pk]),
            "new-assessment": reverse("assessments:new"),
            "step": reverse("assessments:step", args=[draft.pk, 1]),
            "review-and-submit": reverse("assessments:review", args=[draft.pk]),
            "teams": reverse("teams:list"),
            "team": reverse("teams:detail", args=[cycle.team_id]),
            "dashboard": reverse("teams:cycle", args=[cycle.team_id, cycle.pk]),
            "rating": reverse("teams:review", args=[cycle.team_id, unrated.pk]),
            "admin-role": reverse("admin:careers_role_change", args=[tpm.pk]),
        },
    )


def pytest_terminal_summary(terminalreporter):
    for line in helpers.REPORT.lines():
        terminalreporter.write_line(line)
