"""The catalogue import's confirm, run by a real worker when a broker is set."""

import time
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django_celery_results.models import TaskResult

from careers.models import Skill
from tests.careers.test_import_preview import URL, colliding, hidden, upload
from tests.factories import UserFactory
from tests.worker import redis_up, worker_on_redis


def finished() -> bool:
    """The task's result is stored (in-memory SQLite refuses a read while the worker
    writes: that is "not yet")."""
    try:
        return TaskResult.objects.filter(status__in=["SUCCESS", "FAILURE"]).exists()
    except OperationalError:
        return False


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_a_worker_imports_the_confirmed_file_and_the_page_does_not_wait(client, settings):
    call_command("load_catalogue", stdout=StringIO())
    Group.objects.get_or_create(name="Catalogue editors")
    editor = UserFactory(username="edith", is_staff=True, is_superuser=True)
    client.force_login(editor)
    preview = client.post(reverse(URL), {"file": upload(colliding())})
    again = client.post(reverse(URL), {"again": "1", "code_prefix": "acme", **hidden(preview)})
    fields = hidden(again)

    with worker_on_redis(settings):
        started = time.monotonic()
        done = client.post(reverse(URL), {"confirm": "1", **fields})
        waited = time.monotonic() - started
        deadline = time.monotonic() + 60
        while not finished() and time.monotonic() < deadline:
            time.sleep(0.5)

    assert done.status_code == 302
    assert Skill.objects.filter(code__startswith="acme-").count() == 160
    result = TaskResult.objects.get(task_name="careers.tasks.catalogue_import_confirm")
    assert result.status == "SUCCESS" and '"created": ' in result.result
    page = client.get(done["Location"])
    assert "background" in page.text or "arrière-plan" in page.text
    print(f"import confirm: the page waited {waited:.2f} s")
    # Run twice (the broker delivering it again): refused, nothing written twice.
    from careers.interchange import ImportRejected
    from careers.tasks import catalogue_import_confirm

    with pytest.raises(ImportRejected):
        catalogue_import_confirm.run(editor.pk, fields["token"], fields["digest"])
    assert Skill.objects.filter(code__startswith="acme-").count() == 160
