"""Production settings pass Django's deployment checks."""

import os
import subprocess
import sys

from django.conf import settings


def test_check_deploy_passes_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "PRODUCTION": "true",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-with-entropy-0123456789",
        "ALLOWED_HOSTS": "skills.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://skills.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def production_settings(**env):
    """The settings module imported in a fresh process with PRODUCTION=true and `env`."""
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PRODUCTION"}}
    code = "from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "PRODUCTION": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_turns_debug_off_when_debug_is_not_set():
    result = production_settings(SECRET_KEY="a-long-random-production-secret-key-" + "x" * 20)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_production_refuses_debug_set_on():
    result = production_settings(DEBUG="true", SECRET_KEY="a-long-random-secret-" + "x" * 40)

    assert result.returncode != 0
    assert "PRODUCTION=true needs DEBUG=false" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_health_check_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200 and response.content == b"ok"


def test_health_checks_answer_over_plain_http_when_https_is_enforced(client, db, settings):
    # A load balancer probes the app server itself, over HTTP, without X-Forwarded-Proto.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
