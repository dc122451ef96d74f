"""Two managers save the review of one member at the same moment (issue 13).

Each manager's request runs in its own thread with its own database connection, through
the whole view (the test client, as a browser's request would be, less the socket), and
both are let go at once. On PostgreSQL the threads share the test database. On SQLite
the test database is in memory, one per connection: it is copied to a file for the
threads, which then write to one database file as the app's do.
"""

import sqlite3
import threading
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from teams.models import ManagerRating
from tests.factories import UserFactory
from tests.teams.helpers import field, review_form, two_managers_review

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def shared_database(tmp_path):
    """The database the threads' own connections open, holding what the test wrote."""
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connections.settings["default"]
    name = settings_dict["NAME"]
    copy = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    settings_dict["NAME"] = str(copy)
    try:
        yield
    finally:
        settings_dict["NAME"] = name


def in_threads(*jobs):
    """Run the jobs at once, each in a thread with its own connection; their results."""
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            results[i] = job(start)
        except Exception as error:  # a 500: the test client raises what the view raised
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def review(catalogue):
    """Alice's submitted assessment, two managers of her team, and who may not rate it."""
    team, _cycle, assessment, olivia, sam, alice, oscar = two_managers_review(
        catalogue, "alice", "2030-01-01"
    )
    return {
        "assessment": assessment,
        "managers": (olivia, sam),
        "not_theirs": (oscar, alice.user, UserFactory(username="mallory")),
        "url": reverse("teams:review", args=[team.pk, assessment.pk]),
    }


def test_two_managers_giving_the_first_ratings_at_once_lose_nothing(tmp_path, review):
    """It was a 500 (IntegrityError on assessments_rating_one_per_skill) on PostgreSQL,
    and on SQLite the second form silently replaced the first one's ratings."""
    assessment, url = review["assessment"], review["url"]
    codes = sorted(
        assessment.snapshot["skills"], key=lambda c: assessment.snapshot["skills"][c]["order"]
    )
    clients, forms = [], []
    for i, manager in enumerate(review["managers"]):
        client = Client()
        client.force_login(manager)
        form = review_form(client.get(url).content.decode())  # both read: no rating yet
        for code in codes:
            form[field(assessment, code, "level")] = str(i * 4)
            form[field(assessment, code, "comment")] = f"{manager.username}: {code}"
        clients.append(client)
        forms.append(form)

    def post(client, form):
        def job(start):
            start.wait()
            return client.post(url, form)

        return job

    with shared_database(tmp_path):
        responses = in_threads(*(post(c, f) for c, f in zip(clients, forms, strict=True)))
        refused = in_threads(*(refused_job(user, url, forms[0]) for user in review["not_theirs"]))
        stored = in_threads(
            lambda start: {
                r.skill.code: (r.level, r.comment)
                for r in ManagerRating.objects.select_related("skill")
            }
        )[0]

    # No 500; one was saved; the other was told, on the page, with what they typed
    statuses = [getattr(r, "status_code", repr(r)) for r in responses]
    assert sorted(map(str, statuses)) == ["302", "409"], statuses
    saved, told = sorted(range(2), key=lambda i: responses[i].status_code)
    assert stored == {c: (saved * 4, f"{review['managers'][saved].username}: {c}") for c in codes}
    page = responses[told].content.decode()
    again = review_form(page)
    for code in codes:
        assert again[field(assessment, code, "level")] == str(told * 4)
        assert (
            again[field(assessment, code, "comment")]
            == f"{review['managers'][told].username}: {code}"
        )
        assert f"{review['managers'][saved].username}: {code}" in page  # the newer value
    assert refused == [(404, 404)] * 3


def refused_job(user, url, form):
    def job(start):
        client = Client()
        client.force_login(user)
        start.wait()
        return (client.post(url, form).status_code, client.get(url).status_code)

    return job
