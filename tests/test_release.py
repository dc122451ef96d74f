"""Cached renderings are keyed on the code's release: a deployment never serves old HTML."""

from django.core.cache import cache
from django.urls import reverse

from assessments.services import assessment_start
from config.settings import code_release
from tests.assessments.helpers import submitted


def test_the_release_changes_with_a_template_a_translation_or_the_code(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "app").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>{{ fit }}</p>")
    (tmp_path / "app" / "views.py").write_text("X = 1\n")
    first = code_release(tmp_path)

    assert code_release(tmp_path) == first
    template.write_text("<p>{{ fit }} %</p>")
    second = code_release(tmp_path)
    assert second != first
    (tmp_path / "app" / "views.py").write_text("X = 2\n")
    assert code_release(tmp_path) not in (first, second)


def test_the_release_is_in_the_keys_of_kept_pages(settings, client, individual, catalogue):

    result = submitted(assessment_start(owner=individual, roles=catalogue))
    client.force_login(individual)
    url = reverse("assessments:detail", args=[result.pk])
    client.get(url)
    client.get(url)

    kept = [key for key in cache._cache if ":result-page:" in key]
    assert kept and all(f":{settings.RELEASE}:" in key for key in kept)
