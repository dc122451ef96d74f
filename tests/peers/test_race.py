"""Two tabs submit one peer link at the same moment: one answer is taken, the other
tab is told the link was already used, and the ratings are those of one answer.

Each submission goes through the whole view in its own thread and connection, let go
at once (tests/teams/test_rating_races.py's helpers: on SQLite the test database is
copied to a file the threads share)."""

import pytest
from django.test import Client
from django.urls import reverse

from peers.models import PeerInvitation, PeerRating
from tests.teams.test_rating_races import in_threads, shared_database

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submissions_of_one_link_one_wins(world, mails, tmp_path):
    request, tokens = mails.ask(world, peers=3, skills=2)
    url = reverse("peers:answer", args=[tokens[0]])
    skill_ids = world.skill_ids(2)

    def submit(level):
        def job(start):
            client = Client()
            client.get(url)  # the tab's page, and its CSRF cookie
            start.wait()
            return client.post(url, {f"s{pk}": str(level) for pk in skill_ids})

        return job

    with shared_database(tmp_path):
        first, second = in_threads(submit(1), submit(4))
        texts = sorted(r.content.decode() for r in (first, second))
        assert [r.status_code for r in (first, second)] == [200, 200]
        assert sum("Vos réponses ont bien été reçues" in t for t in texts) == 1
        assert sum("déjà servi" in t for t in texts) == 1
        # Read through a thread's own connection: on SQLite it opens the shared copy.
        levels, answered = in_threads(
            lambda start: (
                sorted(PeerRating.objects.values_list("level", flat=True)),
                PeerInvitation.objects.exclude(answered_at=None).count(),
            )
        )[0]
        assert levels in ([1, 1], [4, 4])  # one answer whole, never a mix
        assert answered == 1
