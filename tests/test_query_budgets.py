"""Every page has a query budget. The ones that list things are checked at two sizes
elsewhere too (results, questionnaire, history, team dashboard); here each page is
measured once and capped, so that a new query in a loop shows up as a failure."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tokens import confirmation_token
from assessments.services import assessment_start
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    invitation_create,
    review_share,
    team_create,
)
from tests.assessments.helpers import submitted
from tests.conftest import build_catalogue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(individual):
    roles = build_catalogue(categories=3, skills_per_category=4)
    manager = UserFactory(username="manon")
    editor = UserFactory(username="edith", is_staff=True)
    editor.groups.add(Group.objects.get(name="Catalogue editors"))
    team = team_create(manager=manager, name="Plateforme")
    membership = team.memberships.create(user=individual, target_role=roles[0])
    cycle = cycle_open(team=team, name="Revue", due_date="2030-01-01")
    in_cycle = submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    review_share(assessment=in_cycle, manager=manager)
    result = submitted(assessment_start(owner=individual, roles=roles))
    draft = assessment_start(owner=individual, roles=roles)
    invitation = invitation_create(
        team=team,
        email="new@example.com",
        kind="member",
        invited_by=manager,
        link_for=lambda i: "http://testserver" + i.get_absolute_url(),
    )
    return {
        "roles": roles,
        "manager": manager,
        "editor": editor,
        "team": team,
        "cycle": cycle,
        "in_cycle": in_cycle,
        "result": result,
        "draft": draft,
        "invitation": invitation,
        "confirmation": confirmation_token(user=individual, email="alice.new@example.com"),
    }


PAGES = [
    # (who, url name, args from the world, budget)
    (None, "home", lambda w: [], 4),
    (None, "login", lambda w: [], 2),
    (None, "signup", lambda w: [], 2),
    (None, "signup_done", lambda w: [], 2),
    (None, "password_reset", lambda w: [], 2),
    (None, "password_reset_done", lambda w: [], 2),
    (None, "email_confirm", lambda w: [w["confirmation"]], 2),
    (None, "careers:role_list", lambda w: [], 5),
    (None, "careers:role_detail", lambda w: ["AAA"], 5),
    (None, "careers:role_matrix", lambda w: [], 2),
    (None, "teams:invitation", lambda w: [w["invitation"].token], 3),
    ("individual", "assessments:list", lambda w: [], 10),
    ("individual", "assessments:new", lambda w: [], 5),
    ("individual", "assessments:step", lambda w: [w["draft"].pk, 1], 8),
    ("individual", "assessments:review", lambda w: [w["draft"].pk], 8),
    ("individual", "assessments:detail", lambda w: [w["result"].pk], 5),
    ("individual", "assessments:compare", lambda w: [w["result"].pk], 12),
    ("individual", "assessments:simulate", lambda w: [w["result"].pk], 3),
    ("individual", "assessments:path", lambda w: [w["result"].pk, "AAA"], 4),
    ("individual", "plans:plan", lambda w: [], 5),
    # + the open peer request, if any (peers.selectors.peer_summary: 1 query without one)
    ("individual", "teams:shared_review", lambda w: [w["in_cycle"].pk], 7),
    ("individual", "peers:assessment", lambda w: [w["in_cycle"].pk], 5),
    ("manager", "peers:assessment", lambda w: [w["in_cycle"].pk], 5),
    ("individual", "assessments:result_json", lambda w: [w["result"].pk], 5),
    ("individual", "assessments:result_csv", lambda w: [w["result"].pk], 4),
    ("individual", "assessments:result_xlsx", lambda w: [w["result"].pk], 5),
    ("manager", "assessments:result_xlsx", lambda w: [w["in_cycle"].pk], 6),
    ("individual", "account", lambda w: [], 5),  # + the reminder choices, the findable choice
    ("individual", "email_change", lambda w: [], 3),
    ("outsider", "teams:invitation", lambda w: [w["invitation"].token], 4),
    ("individual", "account_delete", lambda w: [], 6),
    ("individual", "password_change", lambda w: [], 3),
    ("individual", "teams:list", lambda w: [], 5),  # + whether they lead a unit
    ("individual", "teams:detail", lambda w: [w["team"].pk], 5),
    ("manager", "teams:detail", lambda w: [w["team"].pk], 11),
    ("manager", "teams:cycle", lambda w: [w["team"].pk, w["cycle"].pk], 18),
    ("manager", "teams:review", lambda w: [w["team"].pk, w["in_cycle"].pk], 8),  # + peers
    # The first ask makes the file inline (no broker): the ask's row, the file, its write.
    ("manager", "teams:cycle_matrix", lambda w: [w["team"].pk, w["cycle"].pk, "csv"], 24),
    ("manager", "teams:cycle_matrix", lambda w: [w["team"].pk, w["cycle"].pk, "xlsx"], 24),
    ("manager", "teams:cycle_exports", lambda w: [w["team"].pk, w["cycle"].pk], 4),
    ("editor", "admin:index", lambda w: [], 6),
    ("editor", "admin:careers_role_changelist", lambda w: [], 8),
    ("editor", "admin:careers_role_change", lambda w: [w["roles"][0].pk], 12),
    ("editor", "admin:careers_skill_changelist", lambda w: [], 9),
]


@pytest.mark.parametrize(
    ("who", "name", "args", "budget"), PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES]
)
def test_page_stays_within_its_query_budget(
    client, world, individual, outsider, django_assert_max_num_queries, who, name, args, budget
):
    users = {
        "individual": individual,
        "manager": world["manager"],
        "editor": world["editor"],
        "outsider": outsider,
    }
    if who:
        client.force_login(users[who])
    url = reverse(name, args=args(world))

    with django_assert_max_num_queries(budget):
        response = client.get(url)

    assert response.status_code == 200, url


def test_quick_results_cost_the_history_page_no_query(
    client, world, individual, django_assert_max_num_queries
):
    """A quick result is marked provisional and the latest full result is picked from the
    results already read: the page's budget holds with quick results among them."""
    from careers.models import RoleRequirement

    RoleRequirement.objects.filter(role=world["roles"][0]).update(is_core=True)
    for _ in range(3):
        submitted(assessment_start(owner=individual, roles=world["roles"][:1], quick=True))
    client.force_login(individual)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("assessments:list"))

    assert response.status_code == 200
    assert response.context["latest"].full == world["result"]
    assert len(response.context["latest"].newer_quick) == 3
