"""export_data then restore_data into an empty database loses nothing."""

import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command

from assessments.models import Assessment
from assessments.results import result_document
from assessments.services import AnswerInput, answers_save, assessment_start
from careers.models import RoleRequirement
from teams.services import cycle_open, ratings_save, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

MODELS = [
    model
    for app in ("auth", "accounts", "careers", "assessments")
    for model in apps.get_app_config(app).get_models()
    # Permissions are recreated by migrate, with new ids; throttle counts are not kept.
    if model._meta.label not in {"auth.Permission", "accounts.ThrottleEvent"}
]


def snapshot_of_database():
    tables = {
        model._meta.label: sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model.objects.values()
        )
        for model in MODELS
    }
    tables["group permissions"] = sorted(Group.objects.values_list("name", "permissions__codename"))
    # The link rows get new ids when restored (PostgreSQL keeps its sequences): compare
    # what they link, not their ids.
    tables["assessment roles"] = sorted(
        Assessment.roles.through.objects.values_list("assessment_id", "role_id")
    )
    return tables


@pytest.mark.django_db(transaction=True)
def test_export_then_restore_into_an_empty_database_loses_nothing(tmp_path, catalogue):
    alice, manager = UserFactory(username="alice"), UserFactory(username="manon")
    result = submitted(assessment_start(owner=alice, roles=catalogue))
    draft = assessment_start(owner=alice, roles=catalogue[:1])
    skill = catalogue[0].skills.first()
    answers_save(assessment=draft, values={skill.pk: AnswerInput(3, "Migration ERP")})
    team = team_create(manager=manager, name="Plateforme")
    team.memberships.create(user=alice, target_role=catalogue[0])
    cycle = cycle_open(team=team, name="Revue", due_date="2030-01-01")
    in_cycle = submitted(assessment_start(owner=alice, roles=catalogue[:1]))
    in_cycle.cycle = cycle
    in_cycle.save()
    ratings_save(assessment=in_cycle, manager=manager, values={skill.pk: (4, "Très bien")})
    requirement = RoleRequirement.objects.first()
    requirement.weight = 5
    requirement.save()  # leaves a history record
    before = snapshot_of_database()
    document_before = result_document(result)
    path = tmp_path / "backup.json"

    call_command("export_data", str(path))
    call_command("flush", "--noinput", verbosity=0)
    assert snapshot_of_database() != before
    cache.set("result-page:kept-from-another-database", b"<html>")
    call_command("restore_data", str(path))

    assert snapshot_of_database() == before
    assert cache.get("result-page:kept-from-another-database") is None  # nothing stale served
    result.refresh_from_db()
    assert result_document(result) == document_before


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path, catalogue):
    from django.core.management.base import CommandError

    path = tmp_path / "backup.json"
    call_command("export_data", str(path))

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_data", str(path))


@pytest.mark.django_db
def test_a_backup_leaves_out_the_previews_waiting_for_their_confirm(tmp_path):
    from careers.interchange import pending_import_keep

    pending_import_keep(uploader=UserFactory(), name="a.json", raw=b"{}")
    path = tmp_path / "backup.json"

    call_command("export_data", str(path))

    labels = {row["model"] for row in json.loads(path.read_text(encoding="utf-8"))}
    assert "auth.user" in labels and "careers.pendingimport" not in labels
