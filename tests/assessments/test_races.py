"""Two clients at once (issue 13, points 3, 4 and 7): answers against answers, answers
against the submission, four "Start" clicks.

Each client runs in its own thread with its own database connection, and all of them
wait at a barrier so that their requests reach the server together. The tests hold
whatever the order turns out to be: every "Saved" is in the database (and in the frozen
result), everything refused was told so, one draft is started.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Assessment
from assessments.selectors import questionnaire_for
from assessments.services import assessment_start
from tests.assessments.helpers import answer_all

pytestmark = pytest.mark.django_db(transaction=True)


def in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.fixture(autouse=True)
def real_concurrency(request):
    """SQLite's in-memory test database is shared through one cache, which refuses a
    second writer at once instead of waiting: there the races run again in a child
    pytest on a database file (test_the_races_on_a_sqlite_file)."""
    if request.node.name != "test_the_races_on_a_sqlite_file" and in_memory_sqlite():
        pytest.skip("run by test_the_races_on_a_sqlite_file")


def race(*calls):
    """Run the calls at once, each in its own thread; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def session_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def autosave(client, assessment, skill, level, revision):
    return lambda: client.post(
        reverse("assessments:answer", args=[assessment.pk, skill.pk]),
        {f"s{skill.pk}-level": str(level), f"s{skill.pk}-revision": str(revision)},
        HTTP_HX_REQUEST="true",
    )


@pytest.fixture
def draft(individual, catalogue):
    return assessment_start(owner=individual, roles=catalogue)


def test_two_sessions_giving_the_first_answer_at_once(individual, draft):
    x = questionnaire_for(draft).step(1).skills[0]
    one, two = session_of(individual), session_of(individual)

    responses = race(autosave(one, draft, x, 1, 0), autosave(two, draft, x, 3, 0))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], "one is saved, the other is told it was not"
    (winner,) = [level for r, level in zip(responses, (1, 3), strict=True) if r.status_code == 200]
    assert Answer.objects.get(assessment=draft, skill=x).level == winner
    assert Answer.objects.filter(assessment=draft, skill=x).count() == 1


def test_stale_tabs_clicking_one_question_at_once_lose_nothing_they_were_told(individual, draft):
    x = questionnaire_for(draft).step(1).skills[0]
    clients = [session_of(individual) for _ in range(4)]

    responses = race(*(autosave(c, draft, x, i, 0) for i, c in enumerate(clients)))

    saved = [i for i, r in enumerate(responses) if r.status_code == 200]
    assert len(saved) == 1 and all(r.status_code in (200, 409) for r in responses)
    assert Answer.objects.get(assessment=draft, skill=x).level == saved[0]


def test_autosaves_racing_the_submission_are_in_the_result_or_told_not_saved(individual, draft):
    answer_all(draft, lambda i: 2)
    skills = questionnaire_for(draft).skills[:6]
    clients = [session_of(individual) for _ in skills]
    submit_client = session_of(individual)

    def submit():
        return submit_client.post(reverse("assessments:review", args=[draft.pk]))

    *answers, submission = race(
        *(autosave(c, draft, skill, 4, 1) for c, skill in zip(clients, skills, strict=True)), submit
    )

    assert submission.status_code == 302
    result = Assessment.objects.get(pk=draft.pk)
    frozen = result.read_snapshot()["levels"]
    for skill, response in zip(skills, answers, strict=True):
        assert response.status_code in (200, 409)
        if response.status_code == 200:
            assert frozen[skill.code] == 4, "told Saved, so the result holds it"
        else:
            assert frozen[skill.code] == 2
            assert "Évaluation déjà soumise" in response.text
        stored = Answer.objects.get(assessment=draft, skill=skill).level
        assert stored == frozen[skill.code]


def test_four_start_clicks_at_once_start_one_draft(individual, catalogue):
    page = session_of(individual).get(reverse("assessments:new"))
    token = page.context["form"]["token"].value()
    form = {"roles": [str(catalogue[0].pk)], "token": str(token)}
    clients = [session_of(individual) for _ in range(4)]

    responses = race(*(lambda c=c: c.post(reverse("assessments:new"), form) for c in clients))

    assert Assessment.objects.filter(owner=individual).count() == 1
    draft = Assessment.objects.get(owner=individual)
    location = reverse("assessments:step", args=[draft.pk, 1])
    assert [r.status_code for r in responses] == [302] * 4
    assert {r["Location"] for r in responses} == {location}


def test_the_races_on_a_sqlite_file(tmp_path):
    if not in_memory_sqlite():
        pytest.skip("this database runs the races above itself")
    env = {**os.environ, "SQLITE_TEST_FILE": str(tmp_path / "races.sqlite3")}
    env.pop("DATABASE_URL", None)
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "--create-db",
            __file__,
            "-k",
            "not test_the_races_on_a_sqlite_file",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, child.stdout[-3000:] + child.stderr[-3000:]
    assert "4 passed" in child.stdout
