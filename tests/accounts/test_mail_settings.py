"""E-mail is configured from the environment: the console by default, SMTP once a
server is named (config/settings.py)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEFAULT_FROM"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT_BACKEND = ["shell", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"]


def test_messages_are_printed_on_the_console_by_default():
    result = manage(*PRINT_BACKEND)

    assert (
        result.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"
    )


def test_tls_and_ssl_together_are_refused():
    result = manage("check", EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")

    assert result.returncode != 0
    assert "EMAIL_USE_TLS or EMAIL_USE_SSL, not both" in result.stderr


@pytest.mark.django_db
def test_a_message_goes_through_the_smtp_server_the_environment_names(smtp_server):
    result = manage(
        "sendtestemail",
        "nina@example.com",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(settings.EMAIL_PORT),  # the test server's port (the fixture's)
        DEFAULT_FROM_EMAIL="Cap Compétences <cap@example.org>",
    )

    assert result.returncode == 0, result.stderr
    (message,) = smtp_server.to("nina@example.com")
    assert "cap@example.org" in message["From"]
