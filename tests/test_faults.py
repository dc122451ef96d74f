"""Faults fail politely: a database that is down or cut off answers 503 with a short page
in the person's language, never the 500 page; /readyz tells a load balancer to hold
traffic; a NUL byte in an address is refused before any view."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from accounts.sessions import SessionStore
from assessments.models import Answer
from assessments.selectors import questionnaire_for
from assessments.services import assessment_start
from config.views import RETRY_AFTER
from teams.services import team_create
from tests.conftest import build_catalogue
from tests.factories import UserFactory

UNAVAILABLE_FR = "Réessayez dans un instant"
UNAVAILABLE_EN = "Please try again in a moment"
NOT_SAVED_FR = "Non enregistré : le service est indisponible"
NOT_SAVED_EN = "Not saved: the service is unavailable"
SERVER_ERROR = "Une erreur est survenue"  # templates/500.html
NUL_FR = "L’adresse contient un caractère NUL"
NUL_EN = "The address holds a NUL character"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_terminate_backend needs PostgreSQL"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed_in(user, language: str | None = None) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# --- a NUL byte -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/assessments/new/?role=%00",  # filtered in the view: PostgreSQL's DataError
        "/assessments/new/?role=AAA%00",
        "/assessments/new/?%00=AAA",
        "/roles/?role=%00",
        "/roles/%00/",
        "/teams/invitations/abc%00/",
    ],
)
def test_a_nul_in_the_address_is_refused_before_any_view(individual, catalogue, url):
    response = signed_in(individual).get(url)

    assert response.status_code == 400
    assert NUL_FR in response.text
    assert response["Content-Language"] == "fr"


def test_the_nul_refusal_is_in_english_with_the_cookie(individual, catalogue):
    response = signed_in(individual, "en").get("/assessments/new/?role=%00")

    assert response.status_code == 400
    assert NUL_EN in response.text and "caractère" not in response.text


def test_the_nul_refusal_also_holds_for_a_visitor(db):
    response = Client().get("/accounts/login/?next=%00")

    assert response.status_code == 400
    assert NUL_FR in response.text


def test_a_nul_in_a_posted_field_is_refused_by_its_form(individual, catalogue):
    """Form data is left to the forms, which name the field: nothing stored, no 500."""
    assessment = assessment_start(owner=individual, roles=catalogue)
    skill = questionnaire_for(assessment).skills[0]
    url = reverse("assessments:answer", args=[assessment.pk, skill.pk])
    prefix = f"s{skill.pk}"

    response = signed_in(individual).post(url, {f"{prefix}-level": "2", f"{prefix}-note": "a\x00b"})

    assert response.status_code == 400
    assert "text-danger" in response.text
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_query_string_without_nul_still_reaches_the_view(individual, catalogue):
    response = signed_in(individual).get("/assessments/new/?role=AAA")

    assert response.status_code == 200


# --- the database failing, in this process --------------------------------------------


def refused(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "text"), [(None, UNAVAILABLE_FR), ("en", UNAVAILABLE_EN)])
def test_a_database_error_gives_the_503_page_in_the_persons_language(
    individual, catalogue, language, text
):
    client = signed_in(individual, language)

    with mock.patch.object(SessionStore, "load", refused):
        response = client.get(reverse("assessments:list"))

    assert response.status_code == 503
    assert text in response.text
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Language"] == (language or "fr")
    assert SERVER_ERROR not in response.text
    assert "Traceback" not in response.text


def test_an_autosave_while_the_database_fails_says_it_was_not_saved(individual, catalogue):
    assessment = assessment_start(owner=individual, roles=catalogue)
    skill = questionnaire_for(assessment).skills[0]
    url = reverse("assessments:answer", args=[assessment.pk, skill.pk])
    client = signed_in(individual)

    with mock.patch.object(SessionStore, "load", refused):
        response = client.post(url, {f"s{skill.pk}-level": "3"}, headers={"HX-Request": "true"})

    assert response.status_code == 503
    assert NOT_SAVED_FR in response.text
    assert "<html" not in response.text  # a line for htmx to show, not a page
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_an_error_that_is_not_the_databases_is_still_the_500_page(individual, catalogue):
    client = signed_in(individual)

    with mock.patch.object(SessionStore, "load", side_effect=RuntimeError("a bug")):
        response = client.get(reverse("assessments:list"))

    assert response.status_code == 500
    assert SERVER_ERROR in response.text


def test_a_session_the_database_cannot_save_is_a_503_not_a_400(db):
    """The invitation page keeps the new link in the session; saving it fails."""
    olivia = UserFactory(username="olivia")
    team = team_create(manager=olivia, name="Plateforme")
    client = signed_in(olivia)
    form = {"email": "carol@example.com", "kind": "member"}

    with mock.patch.object(Session, "save", refused):
        response = client.post(reverse("teams:invite", args=[team.pk]), form)

    assert response.status_code == 503
    assert UNAVAILABLE_FR in response.text


def test_another_bad_request_is_the_400_page_in_the_persons_language(individual, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    form = {"a": "1", "b": "2", "c": "3"}

    french = signed_in(individual).post(reverse("account_delete"), form)
    english = signed_in(individual, "en").post(reverse("account_delete"), form)

    assert french.status_code == english.status_code == 400
    assert "Requête invalide" in french.text
    assert "Bad request" in english.text and "Requête" not in english.text


# --- readiness ------------------------------------------------------------------------


def test_readiness_checks_the_database_and_the_cache(db, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1; the tests' cache is in memory
        response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "cache": {"default": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_readiness_is_503_while_the_database_fails(db):
    with mock.patch.object(CursorWrapper, "execute", refused):
        response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "failed"


def test_readiness_is_degraded_not_down_when_the_cache_fails(db, settings):
    """Redis is an accelerator: every app server shares it, so its loss must not take
    them all out of the balancer."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "state": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": closed},
    }

    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": {"default": "ok", "state": "failed"},
    }


def test_readiness_and_liveness_refuse_a_post(db):
    assert Client().post("/readyz").status_code == 405
    assert Client().post("/healthz").status_code == 405
    assert Client().post("/healthz/database").status_code == 405


def test_the_one_query_liveness_runs_one_query(db, django_assert_num_queries):
    """The benchmark's one-query reference: the middleware stack and one round trip."""
    with django_assert_num_queries(1):
        response = Client().get("/healthz/database")
    assert response.status_code == 200 and response.content == b"ok"


# --- the database unreachable, in a process of its own --------------------------------

UNREACHABLE_SCRIPT = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.test import Client

    def get(path, language=None, **headers):
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = "a-session-the-database-holds"
        if language:
            client.cookies["django_language"] = language
        return client.get(path, headers=headers)

    out = {}
    for name, response in {
        "page": get("/assessments/"),
        "page_en": get("/assessments/", "en"),
        "htmx": get("/assessments/", **{"HX-Request": "true"}),
        "readyz": get("/readyz"),
        "healthz": get("/healthz"),
        "healthz_database": get("/healthz/database"),
    }.items():
        out[name] = {
            "status": response.status_code,
            "text": response.content.decode(),
            "retry": response.get("Retry-After"),
        }
    autosave = Client(raise_request_exception=False)
    autosave.cookies["sessionid"] = "a-session-the-database-holds"
    response = autosave.post(
        "/assessments/1/answers/1/", {"s1-level": "2"}, headers={"HX-Request": "true"}
    )
    out["autosave"] = {"status": response.status_code, "text": response.content.decode()}
    print(json.dumps(out))
    """
)


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param(f"postgres://postgres:postgres@127.0.0.1:{free_port()}/x", id="postgresql"),
        pytest.param("sqlite:////nonexistent-directory/db.sqlite3", id="sqlite"),
    ],
)
def test_an_unreachable_database_answers_503_and_readyz_says_so(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "-c", UNREACHABLE_SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.splitlines()[-1])

    assert out["page"]["status"] == 503 and UNAVAILABLE_FR in out["page"]["text"]
    assert out["page"]["retry"] == str(RETRY_AFTER)
    assert out["page_en"]["status"] == 503 and UNAVAILABLE_EN in out["page_en"]["text"]
    assert out["htmx"]["status"] == 503 and "<html" not in out["htmx"]["text"]
    assert out["autosave"]["status"] == 503 and NOT_SAVED_FR in out["autosave"]["text"]
    assert out["readyz"]["status"] == 503
    assert json.loads(out["readyz"]["text"]) == {
        "status": "unavailable",
        "database": "failed",
        "cache": {"default": "failed"},  # the database cache: the database is down
    }
    assert out["healthz"]["status"] == 200  # alive: the process need not be restarted
    assert out["healthz_database"]["status"] == 503


# --- PostgreSQL cutting the app's connection mid-request ------------------------------


class Cutter:
    """Terminates the server thread's PostgreSQL backend before its n-th query of the
    next request, as a database restart or failover does: the query then fails."""

    def __init__(self, main: threading.Thread):
        self.main = main
        self.countdown: int | None = None
        self.cuts = 0
        connection_created.connect(self.watch)

    def close(self):
        connection_created.disconnect(self.watch)

    def arm(self, at_query: int):
        self.countdown = at_query

    def watch(self, sender, connection, **kwargs):
        if threading.current_thread() is not self.main:
            connection.execute_wrappers.append(self)

    def __call__(self, execute, sql, params, many, context):
        if self.countdown is not None:
            self.countdown -= 1
            if self.countdown == 0:
                self.countdown = None
                self.cut(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)

    def cut(self, pid: int):
        db = settings.DATABASES["default"]
        with psycopg.connect(
            dbname=connection.settings_dict["NAME"],
            user=db["USER"],
            password=db["PASSWORD"],
            host=db["HOST"],
            port=db["PORT"] or 5432,
            autocommit=True,
        ) as other:
            # The second argument waits (up to 5 s) until the backend has gone.
            other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        self.cuts += 1


@pytest.fixture
def cutter():
    watching = Cutter(threading.current_thread())
    yield watching
    watching.close()


class Browser:
    """urllib with cookies, against the live server (which checks CSRF)."""

    def __init__(self, base: str, session_key: str, language: str | None = None):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.cookies = {settings.SESSION_COOKIE_NAME: session_key}
        if language:
            self.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    def request(self, path: str, data: dict | None = None, **headers):
        cookies = {**self.cookies, **{c.name: c.value for c in self.jar}}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if data is not None:
            from urllib.parse import urlencode

            body = urlencode(data).encode()
            headers["X-CSRFToken"] = cookies.get(settings.CSRF_COOKIE_NAME, "")
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)


def session_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@on_postgresql
@pytest.mark.parametrize(("language", "text"), [(None, UNAVAILABLE_FR), ("en", UNAVAILABLE_EN)])
def test_a_connection_cut_mid_request_answers_503_then_the_next_request_works(
    transactional_db, live_server, cutter, individual, language, text
):
    assessment_start(owner=individual, roles=build_catalogue())
    browser = Browser(live_server.url, session_for(individual), language)
    assert browser.request("/assessments/")[0] == 200

    cutter.arm(at_query=3)  # the session and the user are read; the page's data is not
    status, body, headers = browser.request("/assessments/")

    assert cutter.cuts == 1
    assert status == 503
    assert text in body and SERVER_ERROR not in body
    assert headers["Retry-After"] == str(RETRY_AFTER)
    assert browser.request("/assessments/")[0] == 200  # no restart needed
    assert browser.request("/readyz")[0] == 200


@on_postgresql
def test_an_autosave_cut_off_says_not_saved_and_its_retry_is_saved(
    transactional_db, live_server, cutter, individual
):
    assessment = assessment_start(owner=individual, roles=build_catalogue())
    skill = questionnaire_for(assessment).skills[0]
    browser = Browser(live_server.url, session_for(individual))
    assert browser.request(f"/assessments/{assessment.pk}/step/1/")[0] == 200  # CSRF cookie
    url = f"/assessments/{assessment.pk}/answers/{skill.pk}/"
    form = {f"s{skill.pk}-level": "3"}

    cutter.arm(at_query=3)
    status, body, headers = browser.request(url, form, **{"HX-Request": "true"})

    assert cutter.cuts == 1
    assert status == 503 and NOT_SAVED_FR in body and "<html" not in body
    assert headers["Retry-After"] == str(RETRY_AFTER)
    assert not Answer.objects.filter(assessment=assessment).exists()

    status, body, _headers = browser.request(url, form, **{"HX-Request": "true"})

    assert status == 200 and "Enregistré" in body
    assert Answer.objects.get(assessment=assessment, skill=skill).level == 3
