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
