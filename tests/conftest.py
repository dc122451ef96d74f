"""Shared people and a small catalogue that every test can build on; a real SMTP server."""

import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from careers.models import Role
from tests.factories import (
    CareerStepFactory,
    RoleFactory,
    RoleRequirementFactory,
    SkillCategoryFactory,
    SkillFactory,
    UserFactory,
)


@pytest.fixture
def individual(db):
    return UserFactory(username="alice")


@pytest.fixture
def outsider(db):
    return UserFactory(username="mallory")


@pytest.fixture
def editor(db):
    return UserFactory(username="edith", is_staff=True)


def build_catalogue(*, categories: int = 2, skills_per_category: int = 3) -> list[Role]:
    """Two roles over `categories` x `skills_per_category` skills.

    Role A needs every skill; role B needs every other one, so they overlap but differ.
    Weights cycle 1-5 and targets 1-4 so that no two skills score alike.
    """
    skills = []
    for _ in range(categories):
        category = SkillCategoryFactory()
        skills += [SkillFactory(category=category) for _ in range(skills_per_category)]
    role_a = RoleFactory(code="AAA")
    role_b = RoleFactory(code="BBB")
    for i, skill in enumerate(skills):
        RoleRequirementFactory(role=role_a, skill=skill, weight=i % 5 + 1, target=i % 4 + 1)
        if i % 2 == 0:
            RoleRequirementFactory(role=role_b, skill=skill, weight=5 - i % 5, target=4 - i % 4)
    CareerStepFactory(role=role_a, direction="from", name_fr="Développeur", name_en="Developer")
    CareerStepFactory(role=role_a, direction="to", linked_role=role_b)
    return [role_a, role_b]


@pytest.fixture
def catalogue(db):
    return build_catalogue()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty in-memory cache, keyed as the app's is (the release
    prefixes every key). tests/test_caches.py runs the kept pages on the database cache,
    the default deployment's."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": LOCMEM, "KEY_PREFIX": settings.RELEASE}}
    cache.clear()
    yield
    cache.clear()


class Mailbox:
    """What a real SMTP server on loopback received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in m["X-Envelope-To"].split(", ")]

    @staticmethod
    def subject(message: EmailMessage) -> str:
        # Strip: a folded non-ASCII subject unfolds with a space before its first word.
        return str(message["Subject"]).strip()

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, "no text body"
        return part.get_content()

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        return re.findall(r"https?://\S+", cls.body(message))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free loopback port, which the app's SMTP
    backend is pointed at for the test; yields its Mailbox."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def queued_after_the_codes_commit(monkeypatch):
    """A test runs in a transaction that never commits: a message queued outside the
    code's own transactions is sent at once, as it would be in production; one queued
    inside them waits for their end (transaction.on_commit), as in production."""
    from django.db import connection, transaction

    from notifications import services
    from teams import services as team_services

    def after_commit(func) -> None:
        if all(block._from_testcase for block in connection.atomic_blocks):
            func()
        else:
            transaction.on_commit(func)

    monkeypatch.setattr(services, "after_commit", after_commit)
    monkeypatch.setattr(team_services, "after_commit", after_commit)
