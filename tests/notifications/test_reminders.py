"""Reminders received on a real SMTP server on loopback, their links followed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from notifications.models import Kind, Message, Preference
from notifications.services import preferences_save, reminders_send
from plans.models import PlanItem
from teams.models import TeamMembership
from teams.services import cycle_open, membership_remove, review_share
from tests.conftest import Mailbox
from tests.factories import AssessmentFactory, UserFactory

from .conftest import cycle_due_in, path_of, submitted, today

pytestmark = pytest.mark.django_db


def opens_for(user, url: str) -> None:
    client = Client()
    client.force_login(user)
    response = client.get(path_of(url), follow=True)  # a draft opens at its step
    assert response.status_code == 200, url


def only_message(smtp_server, address: str):
    (message,) = smtp_server.to(address)
    return message


def html_of(message) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no HTML part"
    return part.get_content()


def test_due_in_7_days_reaches_members_who_have_not_submitted_only(world, smtp_server):
    cycle = cycle_due_in(world["team"], 7)
    submitted(world["bob"], cycle)

    reminders_send()

    message = only_message(smtp_server, "alice@example.com")
    assert "7" in Mailbox.subject(message) and "Printemps" in Mailbox.subject(message)
    assert "Plateforme & co" in Mailbox.body(message), "the text part is not escaped"
    assert "Plateforme &amp; co" in html_of(message)
    (url,) = Mailbox.links(message)
    opens_for(world["alice"], url)
    assert f'href="{url}"' in html_of(message)
    assert smtp_server.to("bob@example.com") == [], "Bob submitted"
    assert not Message.objects.filter(to="maud@example.com").exclude(kind=Kind.DIGEST), (
        "managers are not asked to submit"
    )
    assert smtp_server.to("olga@example.com") == []


def test_due_tomorrow_is_its_own_reminder(world, smtp_server):
    cycle_due_in(world["team"], 1)

    reminders_send()

    message = only_message(smtp_server, "alice@example.com")
    assert "demain" in Mailbox.subject(message)
    assert Message.objects.get(to="alice@example.com").kind == Kind.DUE_1


def test_running_the_scheduler_twice_sends_nothing_new(world, smtp_server):
    cycle_due_in(world["team"], 7)
    AssessmentFactory(owner=world["alice"])  # a draft, stale below
    Assessment.objects.update(updated_at=timezone.now() - timedelta(days=15))

    first = reminders_send()
    count = len(smtp_server.messages)
    second = reminders_send()

    assert first and second == []
    assert count == len(smtp_server.messages) == Message.objects.count()


def test_a_removed_member_is_not_reminded(world, smtp_server):
    cycle_due_in(world["team"], 7)
    membership_remove(membership=TeamMembership.objects.get(user=world["bob"]))

    reminders_send()

    assert smtp_server.to("bob@example.com") == []
    assert len(smtp_server.to("alice@example.com")) == 1


def test_english_for_who_chose_english(world, smtp_server):
    Preference.objects.create(user=world["alice"], language="en")
    cycle_due_in(world["team"], 7)

    reminders_send()

    english = only_message(smtp_server, "alice@example.com")
    french = only_message(smtp_server, "bob@example.com")
    assert Mailbox.subject(english) == "Your review Printemps is due in 7 days"
    assert "turn these reminders off" in Mailbox.body(english)
    assert Mailbox.subject(french) == "Votre évaluation Printemps est attendue dans 7 jours"
    assert 'lang="en"' in html_of(english) and 'lang="fr"' in html_of(french)


def test_a_stale_draft_is_reminded_once_with_its_link(world, smtp_server):
    draft = AssessmentFactory(owner=world["alice"])
    fresh = AssessmentFactory(owner=world["bob"])
    Assessment.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=14))

    reminders_send()

    message = only_message(smtp_server, "alice@example.com")
    (url,) = Mailbox.links(message)
    assert path_of(url) == draft.get_absolute_url()
    opens_for(world["alice"], url)
    assert smtp_server.to("bob@example.com") == [], fresh


def test_a_plan_item_due(world, smtp_server):
    from careers.models import Skill

    skill = Skill.objects.first()
    PlanItem.objects.create(
        owner=world["alice"],
        skill=skill,
        skill_code=skill.code,
        level_then=1,
        target_level=3,
        title="Lire le guide",
        due_date=today() + timedelta(days=1),
    )
    PlanItem.objects.create(
        owner=world["bob"],
        skill=skill,
        skill_code=skill.code,
        level_then=1,
        target_level=3,
        title="Fait",
        due_date=today(),
        status=PlanItem.Status.DONE,
    )

    reminders_send()

    message = only_message(smtp_server, "alice@example.com")
    assert "Lire le guide" in Mailbox.subject(message)
    (url,) = Mailbox.links(message)
    opens_for(world["alice"], url)
    assert smtp_server.to("bob@example.com") == [], "a done item is not due"


def test_the_weekly_digest_tells_managers_who_submitted_and_who_is_late(world, smtp_server):
    late = cycle_due_in(world["team"], -2, name="Hiver")
    submitted(world["bob"], late)

    reminders_send()

    digest = [m for m in smtp_server.to("maud@example.com")]
    (message,) = digest
    body = Mailbox.body(message)
    assert "Hiver" in body and "En retard : alice" in body and "Soumis : bob" in body
    (url,) = Mailbox.links(message)
    opens_for(world["maud"], url)
    assert smtp_server.to("olga@example.com") == [], "a manager of another team"
    reminders_send()
    assert len(smtp_server.to("maud@example.com")) == 1, "once a week"


def test_a_cycle_opening_reaches_its_members(
    world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cycle = cycle_open(team=world["team"], name="Été", due_date=today() + timedelta(30))

    for address in ("alice@example.com", "bob@example.com"):
        message = only_message(smtp_server, address)
        assert "Été" in Mailbox.subject(message)
    opens_for(world["alice"], Mailbox.links(only_message(smtp_server, "alice@example.com"))[0])
    assert smtp_server.to("maud@example.com") == smtp_server.to("olga@example.com") == []
    assert Message.objects.filter(key__startswith=f"cycle_opened:{cycle.pk}:").count() == 2


def test_a_shared_review_reaches_the_member(world, smtp_server, django_capture_on_commit_callbacks):
    cycle = cycle_due_in(world["team"], 10)
    assessment = submitted(world["alice"], cycle)

    with django_capture_on_commit_callbacks(execute=True):
        review_share(assessment=assessment, manager=world["maud"])
    with django_capture_on_commit_callbacks(execute=True):
        review_share(assessment=assessment, manager=world["maud"])  # shared again

    message = only_message(smtp_server, "alice@example.com")
    (url,) = Mailbox.links(message)
    assert path_of(url) == reverse("teams:shared_review", args=[assessment.pk])
    opens_for(world["alice"], url)


def test_a_kind_turned_off_is_not_sent(world, smtp_server):
    preferences_save(user=world["alice"], turned_off=[Kind.DUE_7])
    cycle_due_in(world["team"], 7)

    reminders_send()

    assert smtp_server.to("alice@example.com") == []
    assert len(smtp_server.to("bob@example.com")) == 1


def test_my_account_turns_a_kind_off(world, client):
    client.force_login(world["alice"])
    page = client.get(reverse("account"))
    assert page.content.count(b'name="reminders"') == len(Kind.values)
    wanted = [kind for kind in Kind.values if kind != Kind.DIGEST]

    response = client.post(reverse("account"), {"reminders": wanted})

    assert response.status_code == 302
    assert Preference.objects.get(user=world["alice"]).turned_off == [Kind.DIGEST]
    page = client.get(reverse("account"))
    assert b'value="digest" id="reminder-digest">' in page.content
    assert b'value="due_7" id="reminder-due_7" checked>' in page.content


@pytest.mark.parametrize("people", [3, 30])
def test_the_scan_s_queries_do_not_grow_with_people(
    catalogue, people, django_assert_max_num_queries, monkeypatch
):
    from notifications import services

    queued: list = []
    monkeypatch.setattr(services, "after_commit", queued.append)  # the sending is apart
    from teams.services import team_create

    for t in range(3):
        team = team_create(manager=UserFactory(), name=f"T{t}")
        cycle = cycle_due_in(team, 7)
        for _n in range(people):
            member = UserFactory()
            TeamMembership.objects.create(team=team, user=member)
        submitted(member, cycle)
        AssessmentFactory(owner=member)
    Assessment.objects.filter(status="draft").update(updated_at=timezone.now() - timedelta(days=20))

    with django_assert_max_num_queries(16):
        ids = reminders_send()

    assert len(ids) == len(queued) == 3 * (people - 1) + 3 + 3  # due, stale drafts, digests


def test_the_language_signed_in_with_is_the_messages_language(world, client):
    client.cookies["django_language"] = "en"
    assert (
        client.post(
            reverse("login"), {"username": "alice", "password": "correct-horse-battery"}
        ).status_code
        == 302
    )

    assert Preference.objects.get(user=world["alice"]).language == "en"


def test_the_command_runs_the_scan_and_twice_sends_nothing_new(world, smtp_server):
    from io import StringIO

    from django.core.management import call_command

    cycle_due_in(world["team"], 7)
    out = StringIO()
    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)

    assert out.getvalue().splitlines() == ["3 reminder(s) queued.", "0 reminder(s) queued."]
    assert len(smtp_server.messages) == 3  # Alice, Bob, and Maud's digest
