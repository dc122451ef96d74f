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


def _settings_value(env: dict[str, str], expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_alone_turns_debug_off_as_the_readme_says(monkeypatch):
    """`PRODUCTION=true make serve` ran its migrate step with DEBUG on, and crashed."""
    monkeypatch.delenv("DEBUG", raising=False)
    env = {"PRODUCTION": "true", "SECRET_KEY": "k" * 60}
    assert _settings_value(env, "settings.DEBUG") == "False"


def test_production_reads_the_client_address_behind_its_proxy():
    env = {"PRODUCTION": "true", "DEBUG": "false", "SECRET_KEY": "k" * 60}
    assert _settings_value(env, "settings.AXES_IPWARE_META_PRECEDENCE_ORDER") == (
        "('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')"
    )
    assert _settings_value({**env, "PROXY_COUNT": "0"}, "settings.AXES_IPWARE_PROXY_COUNT") == (
        "None"
    )
    import axes.helpers

    assert axes.helpers.IPWARE_INSTALLED  # without it, axes falls back to REMOTE_ADDR
