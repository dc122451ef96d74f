"""The queue: nothing sent for a rolled-back write, retries with back-off, a failure
the admin shows, and a real worker on Redis."""

import smtplib
import time

import pytest
from django.db import transaction
from django_celery_results.models import TaskResult

from notifications.models import Message
from notifications.services import mail_queue
from notifications.tasks import backoff
from tests.worker import redis_up

ATTEMPTS: list[int] = []


class RefusingBackend:
    """A mail server that is down: every send raises, as smtplib does."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        ATTEMPTS.append(1)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_sends_nothing(smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail_queue(to="alice@example.com", subject="Bonjour", text="Corps")
        raise RuntimeError("the view failed after queueing")

    with transaction.atomic():
        mail_queue(to="bob@example.com", subject="Bonjour", text="Corps")
        assert smtp_server.messages == [], "not before the commit"

    assert smtp_server.to("alice@example.com") == []
    assert len(smtp_server.to("bob@example.com")) == 1
    assert Message.objects.get().sent_at is not None


def test_the_back_off_doubles_up_to_an_hour(settings):
    settings.MAIL_RETRY_SECONDS = 30
    assert [backoff(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1920, 3600]


def test_a_failing_mail_server_is_retried_then_the_failure_is_visible(db, settings, admin_client):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.MAIL_INLINE_RETRIES = 3  # inline, the retries run at once (none by default)
    ATTEMPTS.clear()

    mail_queue(to="alice@example.com", subject="Bonjour", text="Corps")

    message = Message.objects.get()
    assert len(ATTEMPTS) == message.attempts == 4, "the first try and 3 retries"
    assert message.sent_at is None and message.failed_at is not None
    assert message.last_error.startswith("SMTPServerDisconnected")
    failure = TaskResult.objects.get(status="FAILURE")
    assert failure.task_name == "notifications.tasks.deliver"
    assert "SMTPServerDisconnected" in failure.result
    page = admin_client.get("/admin/django_celery_results/taskresult/?status__exact=FAILURE")
    assert page.status_code == 200 and failure.task_id.encode() in page.content
    page = admin_client.get("/admin/notifications/message/")
    assert b"SMTPServerDisconnected" in page.content


def test_inline_a_refused_message_is_given_up_at_once(db, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    ATTEMPTS.clear()

    mail_queue(to="alice@example.com", subject="Bonjour", text="Corps")

    assert len(ATTEMPTS) == 1, "no page waits for retries"
    assert Message.objects.get().failed_at is not None


def test_a_worker_retries_with_back_off(db, settings, monkeypatch):
    """Through a broker, each retry is queued with the back-off's countdown."""
    from celery.app.task import Task

    from notifications import tasks

    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.MAIL_MAX_RETRIES, settings.MAIL_RETRY_SECONDS = 3, 30
    countdowns: list[float] = []
    retries = iter(range(4))

    def retry(self, *, exc, countdown, max_retries):
        countdowns.append(countdown)
        return RuntimeError("retry queued")

    monkeypatch.setattr(Task, "retry", retry)
    mail_queue_message = Message.objects.create(
        key="k", kind="t", to="a@example.com", subject="s", text="t"
    )
    for n in retries:
        request = {"is_eager": False, "retries": n}
        tasks.deliver.push_request(**request)
        try:
            with pytest.raises((RuntimeError, smtplib.SMTPServerDisconnected)):
                tasks.deliver.run(mail_queue_message.pk)
        finally:
            tasks.deliver.pop_request()

    assert countdowns == [30, 60, 120], "then the last try gives up"
    assert Message.objects.get().failed_at is not None


def test_a_message_already_sent_is_not_sent_again(db, smtp_server):
    from notifications.tasks import deliver

    mail_queue(to="alice@example.com", subject="Bonjour", text="Corps")
    deliver.delay(Message.objects.get().pk)  # the broker delivered it twice

    assert len(smtp_server.to("alice@example.com")) == 1


SLOW = 2.0  # seconds the slow mail server takes to accept a message


@pytest.fixture
def slow_smtp_server(smtp_server, monkeypatch):
    """The loopback SMTP server, taking SLOW seconds to accept each message."""
    import asyncio

    from tests.conftest import Mailbox

    accept = Mailbox.handle_DATA

    async def slow(self, server, session, envelope):
        await asyncio.sleep(SLOW)
        return await accept(self, server, session, envelope)

    monkeypatch.setattr(Mailbox, "handle_DATA", slow)
    return smtp_server


def confirm_link_request(client) -> float:
    """Seconds the page asking for a confirmation link takes."""
    started = time.monotonic()
    response = client.post("/accounts/email/confirm/")
    assert response.status_code == 302
    return time.monotonic() - started


def wait_for(mailbox, address: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not mailbox.to(address) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_page_waits_for_the_mail_server(slow_smtp_server, client):
    from tests.factories import UserFactory

    client.force_login(
        UserFactory(username="alice", email="alice@example.com", email_confirmed=False)
    )

    waited = confirm_link_request(client)

    assert len(slow_smtp_server.to("alice@example.com")) == 1
    assert waited >= SLOW, "inline: sent before the answer"
    print(f"inline: the page waited {waited:.2f} s")


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_sends_it_and_the_request_does_not_wait(
    settings, slow_smtp_server, client
):
    """A real Celery worker (in this process, its own thread) on Redis database 12."""
    from tests.factories import UserFactory
    from tests.worker import worker_on_redis

    client.force_login(
        UserFactory(username="alice", email="alice@example.com", email_confirmed=False)
    )
    with worker_on_redis(settings):
        waited = confirm_link_request(client)
        assert slow_smtp_server.to("alice@example.com") == [], "not sent yet"
        wait_for(slow_smtp_server, "alice@example.com")
    assert len(slow_smtp_server.to("alice@example.com")) == 1, "the worker sent it"
    assert Message.objects.get().sent_at is not None
    assert TaskResult.objects.filter(
        task_name="notifications.tasks.deliver", status="SUCCESS"
    ).exists()
    assert waited < 1.0, waited
    print(f"with a worker: the page waited {waited:.2f} s")
