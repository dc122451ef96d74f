"""units_led_by: a lead sees their unit and everything under it, today."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from organisation.access import unit_for_lead, units_led_by
from organisation.services import unit_lead_revoke, unit_save, unit_set_teams
from tests.organisation.helpers import lead, unit

pytestmark = pytest.mark.django_db


def test_a_lead_sees_their_unit_and_its_sub_units_not_another(org):
    assert list(units_led_by(org.lea)) == [org.direction, org.platforms]
    assert list(units_led_by(org.bea)) == [org.finance]
    assert unit_for_lead(org.lea, org.platforms.pk) == org.platforms
    with pytest.raises(Http404):
        unit_for_lead(org.lea, org.finance.pk)


def test_a_lead_of_a_sub_unit_does_not_see_the_unit_above(org):
    lead(org.mara, org.platforms)
    assert list(units_led_by(org.mara)) == [org.platforms]


def test_nobody_else_sees_any_unit(org, outsider):
    for user in (org.mara, org.oscar, org.alice, outsider, AnonymousUser()):
        assert not units_led_by(user).exists()


def test_two_grants_on_one_branch_list_each_unit_once(org):
    lead(org.lea, org.platforms)
    assert list(units_led_by(org.lea)) == [org.direction, org.platforms]


def test_access_follows_the_grants_and_the_tree(org):
    deep = unit("Réseau cœur", org.platforms)
    assert deep in units_led_by(org.lea)
    deep.parent = org.finance  # moved to another branch
    unit_save(unit=deep)
    assert deep not in units_led_by(org.lea) and deep in units_led_by(org.bea)
    unit_lead_revoke(lead=org.grant)
    assert not units_led_by(org.lea).exists()


def test_a_deleted_unit_takes_its_grants_with_it(org):
    unit_set_teams(unit=org.finance, teams=[])
    org.finance.delete()
    assert not units_led_by(org.bea).exists()
