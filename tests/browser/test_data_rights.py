"""A person downloads their data from My account and opens the zip; an administrator
erases a person's data after handing their team over."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from assessments.services import assessment_start
from teams.models import TeamMembership
from teams.services import team_create
from tests.assessments.helpers import submitted

pytestmark = pytest.mark.browser
LONG_NAME = "é" * 20 + "-" + "x" * 129  # 150 characters


@pytest.mark.parametrize(
    ("language", "phone", "label"),
    [("fr", False, "Télécharger mes données"), ("en", True, "Download my data")],
)
def test_my_account_download_gives_the_whole_archive(
    open_page, small_catalogue, make_user, shoot, tmp_path, language, phone, label
):
    person = make_user(LONG_NAME)
    result = submitted(assessment_start(owner=person, roles=small_catalogue))
    draft = assessment_start(owner=person, roles=small_catalogue)
    Answer.objects.create(
        assessment=draft, skill=small_catalogue[0].requirements.first().skill, level=2, note="n"
    )
    page = open_page(person, phone=phone, language=language)

    page.goto("/accounts/")
    button = page.get_by_role("button", name=label)
    expect(button).to_be_visible()
    button.scroll_into_view_if_needed()
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, f"account-data-{language}")
    with page.expect_download() as download:
        button.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    assert path.suffix == ".zip"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {
            "README.txt",
            "account.json",
            f"assessments/{result.pk}/result.json",
            f"assessments/{result.pk}/gaps.csv",
            f"assessments/{draft.pk}/answers.json",
        } <= names
        assert json.loads(archive.read("account.json"))["username"] == LONG_NAME
        contract = json.loads(archive.read(f"assessments/{result.pk}/result.json"))
        assert [role["code"] for role in contract["roles"]] and contract["mode"] == "full"
        readme = archive.read("README.txt").decode()
        assert ("vos données" if language == "fr" else "your data") in readme
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # still on the page


def test_an_administrator_hands_the_team_over_then_erases(open_page, make_user, shoot):
    root = make_user("root", is_staff=True, is_superuser=True)
    person = make_user(LONG_NAME)
    team = team_create(manager=person, name="Équipe plateforme " + "n" * 100)
    TeamMembership.objects.create(team=team, user=make_user("bob"))
    page = open_page(root)

    page.goto(f"/admin/auth/user/{person.pk}/erase/")
    expect(page.get_by_role("heading", name="Équipes à confier d’abord")).to_be_visible()
    shoot(page, "admin-erase")
    page.select_option(f"select[name=successor-{team.pk}]", label="bob")
    page.get_by_role("button", name="Oui, effacer ces données").click()

    expect(page.locator(".messagelist")).to_contain_text("sont effacées")
    shoot(page, "admin-erasure-records")
    assert team.memberships.get().user.username == "bob"
    assert team.memberships.get().is_manager
