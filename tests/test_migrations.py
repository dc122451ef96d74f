"""Every migration of the project applies and reverses cleanly (run on both databases)."""

import pytest
from django.core.management import call_command
from django.db import connection


def table_names() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_migrations_reverse_to_zero_and_apply_again():
    assert {"careers_role", "assessments_assessment", "assessments_team"} <= table_names()

    call_command("migrate", "careers", "zero", verbosity=0)  # takes assessments with it

    assert not {t for t in table_names() if t.startswith(("careers_", "assessments_"))}

    call_command("migrate", verbosity=0)

    assert {"careers_role", "careers_historicalrole", "assessments_managerrating"} <= table_names()
    from django.contrib.auth.models import Group

    assert Group.objects.filter(name="Catalogue editors").exists()


@pytest.mark.django_db(transaction=True)
def test_the_team_models_move_to_the_teams_app_and_back_with_their_rows():
    """teams.0001 and assessments.0006 change state only: rows and tables stay put."""
    from django.contrib.contenttypes.models import ContentType

    from teams.models import Team

    Team.objects.create(name="Plateforme")
    ContentType.objects.get_for_model(Team)  # as the admin's log and permissions hold it

    call_command("migrate", "teams", "zero", verbosity=0)

    assert "assessments_team" in table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM assessments_team")
        assert cursor.fetchall() == [("Plateforme",)]
    assert ContentType.objects.filter(app_label="assessments", model="team").exists()

    call_command("migrate", verbosity=0)

    assert list(Team.objects.values_list("name", flat=True)) == ["Plateforme"]
    assert ContentType.objects.filter(app_label="teams", model="team").exists()
    assert not ContentType.objects.filter(app_label="assessments", model="team").exists()
