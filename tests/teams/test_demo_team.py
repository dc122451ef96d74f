"""The demo_team command: a populated team whose dashboard shows every figure."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from assessments.models import Answer, Assessment
from scoring import is_blind_spot
from teams.dashboard import build_dashboard
from teams.models import Invitation, ManagerRating, ReviewCycle, Team
from teams.selectors import cycle_members, dashboard_data, previous_cycle

pytestmark = pytest.mark.django_db

TEAM_NAME = "Équipe Programmes (démo)"


def run(**options) -> str:
    out = StringIO()
    call_command("demo_team", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def output(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the invitation's e-mail
        return run()


@pytest.fixture
def team(output):
    return Team.objects.get(name=TEAM_NAME)


def cycles(team):
    current, previous = team.cycles.order_by("-opened_at")
    return current, previous


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            get_user_model(),
            Team,
            ReviewCycle,
            Assessment,
            Answer,
            ManagerRating,
            Invitation,
        )
    }


def test_team_has_a_manager_and_members_with_varied_roles(team):
    assert team.memberships.filter(kind="manager").get().user.username == "demo-manager"
    members = team.memberships.filter(kind="member").select_related("user", "target_role")
    assert len(members) >= 8
    assert {m.target_role.code for m in members} >= {"TPM", "PMO", "CPT"}
    camille = members.get(user__username="demo-member-1").user
    assert camille.first_name and camille.email == "demo-member-1@example.com"
    assert camille.check_password("demo-pass-2026")


def test_password_option():
    run(password="autre-secret")
    assert get_user_model().objects.get(username="demo-manager").check_password("autre-secret")


def test_two_cycles_the_older_closed_and_the_current_open(team):
    current, previous = cycles(team)
    assert not previous.is_open and previous.closed_at > previous.opened_at
    assert previous.due_date < current.opened_at.date()
    assert current.is_open and current.due_date > current.opened_at.date()
    assert previous_cycle(current) == previous
    statuses = {row.status for row in cycle_members(previous) if row.membership}
    assert statuses <= {"submitted", "reviewed"}


def test_current_cycle_shows_every_status(team):
    current, _previous = cycles(team)
    statuses = [row.status for row in cycle_members(current)]
    assert {"not_started", "in_progress", "invited"} <= set(statuses)
    assert statuses.count("submitted") + statuses.count("reviewed") >= 3
    assert statuses.count("reviewed") >= 3
    assert Assessment.objects.filter(cycle=current, review_shared_at__isnull=False).count() >= 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["demo-invite@example.com"]


def test_dashboard_has_group_figures_and_progress(team):
    current, previous = cycles(team)
    dashboard = build_dashboard(
        dashboard_data(cycle_members(current)), previous=dashboard_data(cycle_members(previous))
    )
    assert dashboard.grouped
    assert dashboard.team_fit and dashboard.gaps and dashboard.change
    assert any(c is not None for c in dashboard.coverage)
    assert any(now >= before for before, now in dashboard.change.values())


def test_ratings_include_blind_spots_in_each_cycle(team):
    for cycle in cycles(team):
        spots = [
            rating
            for assessment in Assessment.objects.filter(cycle=cycle, status="submitted")
            for rating in assessment.ratings.select_related("skill")
            if is_blind_spot(assessment.snapshot["levels"][rating.skill.code], rating.level)
        ]
        assert 1 <= len(spots) <= 3


def test_running_twice_gives_the_same_counts(output):
    before = counts()
    run()
    assert counts() == before
    assert Team.objects.filter(name=TEAM_NAME).count() == 1


def test_output_says_how_to_log_in(output, team):
    current, _previous = cycles(team)
    assert "demo-manager" in output and "demo-member-1" in output
    assert "http://127.0.0.1:8000/accounts/login/" in output
    assert f"http://127.0.0.1:8000/teams/{team.pk}/" in output
    assert current.get_absolute_url() in output
    assert "Log in" in output and "Connectez-vous" in output


def printed_links(output: str, base: str = "http://127.0.0.1:8000") -> list[str]:
    paths = re.findall(re.escape(base) + r"(/[^\s;,]*)", output)
    assert paths, output
    return sorted(set(paths))


def test_links_from_a_first_run_still_work_after_a_second_run(
    output, client, django_capture_on_commit_callbacks
):
    first = printed_links(output)
    with django_capture_on_commit_callbacks(execute=True):
        second = printed_links(run())
    assert first == second  # same team, same cycles: nothing printed before went stale
    assert client.get("/accounts/login/").status_code == 200
    client.force_login(get_user_model().objects.get(username="demo-manager"))
    for path in first:
        if path != "/accounts/login/":
            assert client.get(path).status_code == 200, path
    assert Team.objects.filter(name=TEAM_NAME).count() == 1
    team = Team.objects.get(name=TEAM_NAME)
    current, previous = cycles(team)
    assert current.is_open and not previous.is_open
    # the rebuilt cycle's dashboard shows the rebuilt members, not the deleted ones
    assert Assessment.objects.filter(cycle=current).count() == 9


def test_links_use_the_base_url_option_and_the_invitation_too(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        output = run(base_url="http://127.0.0.1:9123/")
    assert "127.0.0.1:8000" not in output
    team = Team.objects.get(name=TEAM_NAME)
    assert f"http://127.0.0.1:9123/teams/{team.pk}/" in output
    assert "http://127.0.0.1:9123/accounts/login/" in output
    assert "http://127.0.0.1:9123/teams/invitations/" in mail.outbox[-1].body


def test_site_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://skills.example.com")
    output = run()
    assert "https://skills.example.com/accounts/login/" in output
    assert "127.0.0.1:8000" not in output


@pytest.mark.parametrize("bad", ["127.0.0.1:8000", "ftp://example.com", "http://"])
def test_a_base_url_that_is_no_address_is_refused(bad):
    with pytest.raises(CommandError, match="base-url"):
        run(base_url=bad)
    assert not Team.objects.filter(name=TEAM_NAME).exists()
