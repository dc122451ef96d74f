"""A person's archive (accounts/data_rights.py): every file checked against data built by
hand, nobody else's data inside, who may download it, and its query count."""

import csv
import io
import json
import zipfile

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.urls import reverse
from django.utils import timezone

from accounts import data_rights
from api.tokens import token_create
from assessments.models import Answer
from assessments.services import assessment_start
from notifications.models import Message, Preference
from plans.services import plan_comment_add, plan_item_add, plan_share
from teams.models import Invitation, TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    membership_remove,
    ratings_save,
    review_share,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LAYOUT = {
    "README.txt",
    "account.json",
    "plan.json",
    "reviews.json",
    "teams.json",
    "notifications.json",
    "api_tokens.json",
    "logins.json",
}


def read(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def load(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


@pytest.fixture
def world(individual, outsider, catalogue):
    """Alice's data of every kind, and Mallory's, whose must never reach her archive."""
    individual.first_name = "Alice"
    individual.save()
    result = submitted(assessment_start(owner=individual, roles=catalogue), lambda i: i % 4)
    Answer.objects.filter(pk=result.answers.order_by("pk").first().pk).update(
        note="Led the 2024 risk review"
    )
    draft = assessment_start(owner=individual, roles=[catalogue[1]])
    skill = catalogue[1].requirements.order_by("pk").first().skill
    Answer.objects.create(assessment=draft, skill=skill, level=3, note="Draft note, unsent")

    olivia = UserFactory(username="olivia")
    team = team_create(manager=olivia, name="Plateforme")
    membership = TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[0])
    cycle = cycle_open(team=team, name="Revue 2026", due_date=timezone.localdate())
    review = submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    rated = review.snapshot["skills"][sorted(review.snapshot["skills"])[0]]["id"]
    ratings_save(assessment=review, manager=olivia, values={rated: (4, "Solid, teaches others")})
    review_share(assessment=review, manager=olivia)

    code = sorted(result.snapshot["skills"])[0]
    item, _created = plan_item_add(
        owner=individual, result=result, skill_code=code, target_level=4, title="Mentor a peer"
    )
    plan_comment_add(author=individual, item=item, body="Started in March")
    plan_share(owner=individual, team_id=team.pk)
    token_create(owner=individual, name="My laptop script", scope="read")
    Preference.objects.create(user=individual, language="en", turned_off=["digest"])
    Message.objects.create(
        key="k-alice",
        kind="due_7",
        user=individual,
        to=individual.email,
        subject="Due soon",
        text="Hi",
    )
    Invitation.objects.create(
        team=team, email=individual.email, invited_by=olivia, expires_at=timezone.now()
    )

    AccessLog.objects.create(username="alice", ip_address="10.0.0.1", user_agent="Firefox")
    AccessFailureLog.objects.create(username="alice", ip_address="10.0.0.2", user_agent="curl")

    # Mallory's data, everywhere Alice's is.
    AccessLog.objects.create(username="mallory", ip_address="10.9.9.9", user_agent="MALLORY-UA")
    theirs = submitted(assessment_start(owner=outsider, roles=catalogue))
    Answer.objects.filter(assessment=theirs).update(note="MALLORY-SECRET")
    token_create(owner=outsider, name="MALLORY-TOKEN", scope="write")
    Message.objects.create(
        key="k-mallory",
        kind="due_7",
        user=outsider,
        to=outsider.email,
        subject="MALLORY-MAIL",
        text="x",
    )
    return {"result": result, "draft": draft, "review": review, "team": team, "item": item}


def test_the_archive_holds_each_kind_of_data_file_by_file(client, individual, world):
    client.force_login(individual)

    response = client.post(reverse("account_data"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = read(response)
    result, draft, review = world["result"], world["draft"], world["review"]
    folders = {f"assessments/{a.pk}/" for a in (result, draft, review)}
    assert set(archive.namelist()) == LAYOUT | {
        f"{folder}{name}"
        for folder in folders
        for name in ("answers.json", "result.json", "gaps.csv")
        if not (folder == f"assessments/{draft.pk}/" and name != "answers.json")
    }

    account = load(archive, "account.json")
    assert (account["username"], account["first_name"], account["email"]) == (
        "alice",
        "Alice",
        "alice@example.com",
    )
    assert account["email_confirmed"] is True

    answers = load(archive, f"assessments/{draft.pk}/answers.json")
    assert answers["status"] == "draft" and answers["roles"] == ["BBB"]
    assert [(a["level"], a["note"]) for a in answers["answers"]] == [(3, "Draft note, unsent")]
    full = load(archive, f"assessments/{result.pk}/answers.json")
    assert len(full["answers"]) == result.answers.count()
    assert "Led the 2024 risk review" in [a["note"] for a in full["answers"]]
    cycle_answers = load(archive, f"assessments/{review.pk}/answers.json")
    assert (cycle_answers["team"], cycle_answers["cycle"]) == ("Plateforme", "Revue 2026")

    # The result in the export contract: the same document as result.json's download.
    contract = client.get(reverse("assessments:result_json", args=[result.pk])).json()
    document = load(archive, f"assessments/{result.pk}/result.json")
    assert document == {k: v for k, v in contract.items() if k != "plan"}
    gaps = client.get(reverse("assessments:result_csv", args=[result.pk])).content
    assert archive.read(f"assessments/{result.pk}/gaps.csv") == gaps
    rows = list(csv.reader(io.StringIO(gaps.decode("utf-8-sig"))))
    assert len(rows) == 1 + sum(len(role["skills"]) for role in document["roles"])

    plan = load(archive, "plan.json")
    assert [(i["skill"], i["action"], i["target"]) for i in plan["items"]] == [
        (world["item"].skill_code, "Mentor a peer", 4)
    ]
    assert [(c["author"], c["body"]) for c in plan["items"][0]["comments"]] == [
        ("alice", "Started in March")
    ]
    assert [s["team"] for s in plan["shared_with"]] == ["Plateforme"]

    reviews = load(archive, "reviews.json")
    assert [(r["assessment"], r["team"], r["cycle"]) for r in reviews] == [
        (review.pk, "Plateforme", "Revue 2026")
    ]
    assert [(r["level"], r["comment"], r["rated_by"]) for r in reviews[0]["ratings"]] == [
        (4, "Solid, teaches others", "olivia")
    ]

    teams = load(archive, "teams.json")
    assert [(m["team"], m["kind"], m["target_role"]) for m in teams["memberships"]] == [
        ("Plateforme", "member", "AAA")
    ]
    assert [(i["team"], i["invited_by"], i["status"]) for i in teams["invitations"]] == [
        ("Plateforme", "olivia", "expired")
    ]

    notifications = load(archive, "notifications.json")
    # The language is the one last used: the French pages just read.
    assert notifications["preference"] == {"language": "fr", "reminders_turned_off": ["digest"]}
    assert [m["subject"] for m in notifications["messages"]] == ["Due soon"]

    logins = load(archive, "logins.json")
    # The test client's log-in is recorded too (no address: no request).
    assert [(row["ip_address"], row["user_agent"]) for row in logins["logins"]] == [
        ("10.0.0.1", "Firefox"),
        (None, "<unknown>"),
    ]
    assert [row["ip_address"] for row in logins["failures"]] == ["10.0.0.2"]

    tokens = load(archive, "api_tokens.json")
    assert [(t["name"], t["scope"]) for t in tokens] == [("My laptop script", "read")]
    assert set(tokens[0]) == {
        "name",
        "scope",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    }


def test_nobody_elses_data_and_no_secret_is_inside(client, individual, outsider, world):
    client.force_login(individual)

    archive = read(client.post(reverse("account_data")))

    everything = b"".join(archive.read(name) for name in archive.namelist())
    for theirs in (b"MALLORY", b"mallory", outsider.email.encode()):
        assert theirs not in everything
    token = individual.access_tokens.get()
    assert token.digest.encode() not in everything


def test_unshared_reviews_stay_out_of_the_persons_own_archive(client, individual, world):
    review_share(
        assessment=world["review"],
        manager=world["team"].memberships.get(kind="manager").user,
        shared=False,
    )
    client.force_login(individual)

    archive = read(client.post(reverse("account_data")))

    assert load(archive, "reviews.json") == []
    administrator = data_rights.person_archive(user=individual, unshared_ratings=True)
    with zipfile.ZipFile(administrator) as complete:
        assert [r["ratings"][0]["comment"] for r in load(complete, "reviews.json")] == [
            "Solid, teaches others"
        ]


def test_readme_is_in_the_page_language(client, individual, world):
    client.force_login(individual)

    french = read(client.post(reverse("account_data"))).read("README.txt").decode()
    client.cookies["django_language"] = "en"
    english = read(client.post(reverse("account_data"))).read("README.txt").decode()

    assert "Cap Compétences : vos données" in french and "3 évaluations" in french
    assert "Cap Compétences: your data" in english and "3 assessments" in english
    assert "your data" not in french and "vos données" not in english
    assert "assessments/<id>/answers.json" in french  # the layout's names do not change


def test_the_archive_needs_login_and_a_post(client, individual):
    assert client.post(reverse("account_data"))["Location"].startswith(reverse("login"))
    client.force_login(individual)
    assert client.get(reverse("account_data")).status_code == 405


def test_each_person_gets_their_own_archive_only(client, individual, outsider, world):
    """No id in the address: a manager, a member or an outsider gets their own data."""
    olivia = world["team"].memberships.get(kind="manager").user
    for person in (olivia, outsider):
        client.force_login(person)
        archive = read(client.post(reverse("account_data")))
        assert load(archive, "account.json")["username"] == person.username
        everything = b"".join(archive.read(name) for name in archive.namelist())
        assert b"Led the 2024 risk review" not in everything
        assert b"Draft note, unsent" not in everything
    # Olivia rated Alice: her archive names the teams she manages, not Alice's ratings.
    client.force_login(olivia)
    assert load(read(client.post(reverse("account_data"))), "reviews.json") == []


def test_a_member_removed_from_the_team_keeps_their_data_in_their_archive(
    client, individual, world
):
    membership_remove(membership=world["team"].memberships.get(user=individual))
    client.force_login(individual)

    archive = read(client.post(reverse("account_data")))

    assert load(archive, "teams.json")["memberships"] == []
    assert [r["assessment"] for r in load(archive, "reviews.json")] == [world["review"].pk]


def test_the_account_page_offers_the_download(client, individual):
    client.force_login(individual)

    page = client.get(reverse("account"))

    assert reverse("account_data") in page.text
    assert "Télécharger mes données" in page.text


# --- cost -------------------------------------------------------------------------


def _with_assessments(person, catalogue, count: int) -> None:
    for number in range(count):
        result = submitted(assessment_start(owner=person, roles=catalogue), lambda i: i % 4)
        Answer.objects.filter(assessment=result).update(note=f"note {number}")
        plan_item_add(
            owner=person,
            result=result,
            skill_code=sorted(result.snapshot["skills"])[0],
            target_level=4,
            title=f"Action {number}",
        )
        draft = assessment_start(owner=person, roles=catalogue)
        Answer.objects.create(
            assessment=draft, skill=catalogue[0].requirements.first().skill, level=1
        )


# The session and the user; then the archive's 16 reads: the address's confirmation,
# assessments, their roles, answers, plan items, comments, sharing, ratings,
# memberships, invitations, preference, messages, tokens, the 3 log-in records; and its
# transaction's savepoint and release.
QUERIES = 20


@pytest.mark.parametrize("count", [1, 8])
def test_query_count_does_not_grow_with_the_assessments(
    client, individual, catalogue, django_assert_max_num_queries, count
):
    _with_assessments(individual, catalogue, count)
    client.force_login(individual)

    with django_assert_max_num_queries(QUERIES):
        response = client.post(reverse("account_data"))
        archive = read(response)

    assert len([n for n in archive.namelist() if n.endswith("answers.json")]) == 2 * count
