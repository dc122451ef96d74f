"""The unit tree: paths kept by unit_save, moves, loops refused, deletion protected."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from organisation.models import Unit
from organisation.services import unit_save, unit_set_teams
from tests.organisation.helpers import team_in, unit

pytestmark = pytest.mark.django_db


def test_a_path_holds_the_ancestors_then_the_unit():
    root = unit("Direction technique")
    child = unit("Plateformes", root)
    grandchild = unit("Réseau", child)
    assert root.path == f"{root.pk:06d}/"
    assert grandchild.path == f"{root.pk:06d}/{child.pk:06d}/{grandchild.pk:06d}/"
    assert (root.depth, child.depth, grandchild.depth) == (0, 1, 2)
    assert list(Unit.objects.all()) == [root, child, grandchild]  # tree order


def test_moving_a_unit_moves_everything_under_it():
    a, b = unit("A"), unit("B")
    child = unit("A1", a)
    grandchild = unit("A11", child)
    child.parent = b
    unit_save(unit=child)
    grandchild.refresh_from_db()
    assert grandchild.path == f"{b.pk:06d}/{child.pk:06d}/{grandchild.pk:06d}/"
    assert set(Unit.objects.filter(path__startswith=b.path)) == {b, child, grandchild}
    assert list(Unit.objects.filter(path__startswith=a.path)) == [a]


def test_a_unit_cannot_go_under_itself_or_its_sub_units():
    a = unit("A")
    child = unit("A1", a)
    a.parent = child
    with pytest.raises(ValidationError):
        unit_save(unit=a)
    a.refresh_from_db()
    assert a.parent is None and a.path == f"{a.pk:06d}/"


def test_a_unit_with_teams_or_sub_units_cannot_be_deleted():
    a = unit("A")
    child = unit("A1", a)
    team = team_in(child, "Équipe")
    with pytest.raises(ProtectedError):
        a.delete()
    with pytest.raises(ProtectedError):
        child.delete()
    unit_set_teams(unit=child, teams=[])
    team.refresh_from_db()
    assert team.unit is None
    child.delete()
    a.delete()
    assert not Unit.objects.exists()


def test_a_team_belongs_to_one_unit_and_moves_with_a_choice():
    a, b = unit("A"), unit("B")
    team, other = team_in(a, "Un"), team_in(a, "Deux")
    unit_set_teams(unit=b, teams=[team])
    assert set(a.teams.all()) == {other}
    assert set(b.teams.all()) == {team}
