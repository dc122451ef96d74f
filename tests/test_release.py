"""The release prefixes every cache key: a deployment never serves what older code made."""

import os
import subprocess
import sys

from django.conf import settings

from config.settings import APP_PACKAGES, code_release


def test_the_release_changes_with_a_template_a_translation_or_the_app_code(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "teams").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>{{ fit }}</p>")
    (tmp_path / "teams" / "views.py").write_text("X = 1\n")
    first = code_release(tmp_path)

    assert code_release(tmp_path) == first
    template.write_text("<p>{{ fit }} %</p>")
    second = code_release(tmp_path)
    assert second != first
    (tmp_path / "teams" / "views.py").write_text("X = 2\n")
    assert code_release(tmp_path) not in (first, second)


def test_tests_benchmarks_and_scripts_leave_the_release_alone(tmp_path):
    (tmp_path / "scoring").mkdir()
    (tmp_path / "scoring" / "engine.py").write_text("X = 1\n")
    first = code_release(tmp_path)

    for folder in ("tests", "bench", "scripts"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "thing.py").write_text("Y = 1\n")

    assert code_release(tmp_path) == first
    assert set(APP_PACKAGES) == {
        "accounts",
        "api",
        "assessments",
        "careers",
        "config",
        "notifications",
        "organisation",
        "peers",
        "plans",
        "scoring",
        "teams",
    }


def caches_with(**env) -> dict:
    """settings.CACHES as a fresh process reads it from the environment."""
    script = "from django.conf import settings; print(repr(settings.CACHES))"
    environ = {k: v for k, v in os.environ.items() if k not in ("RELEASE", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env={**environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return eval(result.stdout)  # noqa: S307 - our own settings' repr


def test_the_deployment_s_release_prefixes_the_database_cache():
    caches = caches_with(RELEASE="4f2a9c1")

    assert caches["default"]["KEY_PREFIX"] == "4f2a9c1"
    assert caches["default"]["BACKEND"].endswith("DatabaseCache")
    assert caches["default"]["OPTIONS"]["MAX_ENTRIES"] >= 5000


def test_with_redis_the_release_prefixes_what_the_code_computes():
    caches = caches_with(RELEASE="4f2a9c1", REDIS_URL="redis://127.0.0.1:6379/9")

    assert caches["default"]["KEY_PREFIX"] == "4f2a9c1"
    assert list(caches) == ["default"]  # sessions and lockouts are in the database


def test_without_a_release_the_code_s_digest_stands_in():
    caches = caches_with()

    assert caches["default"]["KEY_PREFIX"] == code_release()


def test_turning_local_accounts_off_starts_the_kept_pages_afresh():
    # They print the "Sign up" links: the pages kept with them are never read again.
    caches = caches_with(RELEASE="4f2a9c1", LOCAL_ACCOUNTS="false")

    assert caches["default"]["KEY_PREFIX"] == "4f2a9c1-no-local-accounts"
