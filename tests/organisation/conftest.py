"""One organisation for the access and page tests.

Direction (led by lea) holds Plateformes, where the team "Réseau" (managed by mara)
has alice (findable, 3 everywhere), carl (not findable, 4) and dora (findable, 1).
Finance (led by bea) holds the team "Budget" (managed by oscar) with bob (findable, 4).
mallory is in no team and leads nothing.
"""

from dataclasses import dataclass

import pytest

from organisation.models import Unit, UnitLead
from teams.models import Team
from tests.factories import UserFactory
from tests.organisation.helpers import lead, person, team_in, unit


@dataclass
class Org:
    direction: Unit
    platforms: Unit
    finance: Unit
    network: Team
    budget: Team
    lea: object
    bea: object
    mara: object
    oscar: object
    alice: object
    carl: object
    dora: object
    bob: object
    grant: UnitLead
    roles: list


@pytest.fixture
def org(catalogue, outsider):
    role = catalogue[0]
    direction = unit("Direction technique")
    platforms = unit("Plateformes", direction)
    finance = unit("Finance")
    mara, oscar = UserFactory(username="mara"), UserFactory(username="oscar")
    network = team_in(platforms, "Réseau", mara)
    budget = team_in(finance, "Budget", oscar)
    lea, bea = UserFactory(username="lea"), UserFactory(username="bea")
    grant = lead(lea, direction)
    lead(bea, finance)
    return Org(
        direction=direction,
        platforms=platforms,
        finance=finance,
        network=network,
        budget=budget,
        lea=lea,
        bea=bea,
        mara=mara,
        oscar=oscar,
        alice=person(network, role, 3, username="alice", target=catalogue[0]),
        carl=person(network, role, 4, username="carl", findable=False, target=catalogue[1]),
        dora=person(network, role, 1, username="dora"),
        bob=person(budget, role, 4, username="bob"),
        grant=grant,
        roles=catalogue,
    )
