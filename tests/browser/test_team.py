"""A manager's journey: team, invitations accepted in other browsers, a review cycle,
a rating, a shared review, the dashboard."""

import re
from datetime import date, timedelta
from itertools import cycle

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import answer_step, confirmation_link, sign_up

pytestmark = pytest.mark.browser


def accept_invitation(open_page, link: str, username: str):
    """A person without an account opens the link in their own browser, signs up from
    it, is asked to confirm their address first, follows the link mailed to it, and
    accepts."""
    page = open_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre l’équipe Delivery")
    page.locator("main").get_by_role("link", name="Créer un compte").click()
    sign_up(page, username)
    expect(page).to_have_url(link)
    expect(page.locator("[data-standing=unconfirmed]")).to_be_visible()
    expect(page.get_by_role("button", name="Accepter l’invitation")).to_have_count(0)
    page.goto(confirmation_link(f"{username}@example.com"))
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page).to_have_url(link)
    page.get_by_role("button", name="Accepter l’invitation").click()
    expect(page.locator(".messages")).to_contain_text("Bienvenue dans l’équipe Delivery.")
    return page


def take_assessment(page, levels) -> None:
    page.goto("/assessments/")
    card = page.locator("#cycles-title ~ .card", has_text="Delivery · Revue annuelle")
    card.get_by_role("button", name="Commencer mon évaluation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Étape 1 sur 2")
    answer_step(page, levels)
    page.get_by_role("button", name=re.compile("^Suivant")).click()
    answer_step(page, levels)
    page.locator(".step-actions").get_by_role("button", name=re.compile("Vérifier")).click()
    page.get_by_role("button", name="Soumettre mon évaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre analyse des écarts")


def test_team_invitations_cycle_rating_sharing_dashboard(
    open_page, small_catalogue, make_user, shoot
):
    target, _other = small_catalogue
    manager = make_user("manon")
    page = open_page(manager)

    # Create the team and invite two people; the page shows each link to copy.
    page.goto("/teams/")
    page.fill("#id_name", "Delivery")
    page.get_by_role("button", name="Créer l’équipe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delivery")
    team_url = page.url
    links = []
    for email in ("nina@example.com", "omar@example.com"):
        page.fill("#id_email", email)
        page.get_by_role("button", name="Envoyer l’invitation").click()
        link_box = page.get_by_role("textbox", name="Lien d’invitation")
        expect(link_box).to_have_value(re.compile(r"^http://.+/teams/invitations/[\w-]{20,}/$"))
        links.append(link_box.input_value())
    assert links[0] != links[1]
    expect(page.locator("#inv-title + .list-group > li")).to_have_count(2)

    # Open a review cycle.
    page.fill("#id_due_date", (date.today() + timedelta(days=21)).isoformat())
    expect(page.locator("#id_name")).to_have_value("Revue annuelle")
    page.get_by_role("button", name="Ouvrir le cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revue annuelle")
    dashboard_url = page.url

    # Each accepts in a separate browser context, signing up from the link.
    nina = accept_invitation(open_page, links[0], "nina")
    omar = accept_invitation(open_page, links[1], "omar")

    # The manager gives both a target role.
    page.goto(team_url)
    for name in ("nina", "omar"):
        row = page.locator("tbody tr", has=page.get_by_role("rowheader", name=name))
        row.get_by_role("combobox").select_option(label=target.name_fr)
        row.get_by_role("button", name="Enregistrer").click()
        expect(page.locator(".messages")).to_contain_text("Rôle visé enregistré.")
    shoot(page, "team")

    # Both assess themselves against it (6 questions over 2 steps) and submit.
    take_assessment(nina, cycle([4, 1, 3]))
    take_assessment(omar, cycle([2, 3, 0]))

    # The manager rates Nina: one skill two levels below her own (a blind spot).
    page.goto(dashboard_url)
    members = page.locator("#status-title ~ .table-responsive tbody")
    expect(members.locator(".status-submitted")).to_have_count(2)
    expect(page.locator(".heatmap tbody tr")).to_have_count(2)
    members.locator("tr", has_text="nina").get_by_role("link", name="Évaluer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revue de nina")
    rows = page.locator(".review-table tbody tr")
    expect(rows).to_have_count(6)
    for index, level in enumerate([2, 1, 3, 4, 1, 3]):
        rows.nth(index).get_by_role("combobox").select_option(str(level))
    rows.nth(0).get_by_role("textbox").fill("Parlons-en : tes livrables montrent un niveau 2.")
    page.get_by_role("button", name="Enregistrer les évaluations").click()
    expect(page.locator(".messages")).to_contain_text("Évaluations enregistrées.")
    expect(rows.nth(0).locator(".badge", has_text="angle mort")).to_be_visible()
    shoot(page, "team-rating")
    page.get_by_role("button", name="Partager la revue avec le membre").click()
    expect(page.locator(".badge", has_text="Partagée avec le membre")).to_be_visible()

    # The dashboard: Nina reviewed, Omar submitted, the heatmap shows the manager's levels.
    page.get_by_role("navigation", name="Fil d’Ariane").get_by_role(
        "link", name="Revue annuelle"
    ).click()
    expect(page).to_have_url(dashboard_url)
    expect(members.locator("tr", has_text="nina").locator(".status-reviewed")).to_be_visible()
    expect(members.locator("tr", has_text="omar").locator(".status-submitted")).to_be_visible()
    nina_cells = page.locator(".heatmap tbody tr", has_text="nina").locator("td[class^=c]")
    expect(nina_cells.first).to_have_text("2*")  # level 2, rated; "/1" drawn by app.css
    expect(nina_cells.first).to_have_class("c21")
    assert nina_cells.first.evaluate("e => getComputedStyle(e, '::after').content") == '"/1"'
    nina_cells.first.hover()  # its tooltip, set by app.js
    expect(nina_cells.first).to_have_attribute("title", "niveau 2, cible 1")
    expect(page.locator(".alert-info")).to_contain_text("(2 pour l’instant)")
    shoot(page, "team-dashboard")

    # Nina sees the shared review beside her own levels; Omar has none.
    nina.goto("/assessments/")
    nina.get_by_role("link", name="Revue du manager").click()
    expect(nina.get_by_role("heading", level=1)).to_have_text("La revue de votre manager")
    first = nina.locator("tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text("4 · Expert (fait référence, forme les autres)")
    expect(first.locator("td").nth(1)).to_have_text("2 · Pratique")
    expect(first).to_contain_text("Parlons-en")
    expect(first.locator(".badge", has_text="angle mort")).to_be_visible()
    shoot(nina, "shared-review")
    omar.goto("/assessments/")
    expect(omar.get_by_role("link", name="Revue du manager")).to_have_count(0)


# --- a member with only a quick result: marked, counted in no team figure -----------------


@pytest.fixture
def board_with_a_quick_member(small_catalogue, make_user):
    """Four members of the first role: three full results, and Dora's quick one."""
    from assessments.models import Assessment
    from careers.models import RoleRequirement
    from teams.models import TeamMembership
    from teams.services import cycle_assessment_start, cycle_open, team_create
    from tests.assessments.helpers import submitted

    role = small_catalogue[0]
    for req in RoleRequirement.objects.filter(role=role).order_by("skill__order")[:3]:
        req.is_core = True
        req.save()
    manager = make_user("olivia")
    team = team_create(manager=manager, name="Delivery")
    cycle_ = cycle_open(team=team, name="Revue", due_date=date.today() + timedelta(days=30))
    for name in ("anna", "ben", "chloe", "dora"):
        membership = TeamMembership.objects.create(
            team=team, user=make_user(name), target_role=role
        )
        draft = cycle_assessment_start(cycle=cycle_, membership=membership)
        if name == "dora":
            Assessment.objects.filter(pk=draft.pk).update(mode=Assessment.Mode.QUICK)
            draft.refresh_from_db()
        submitted(draft, lambda i: 1)
    return manager, f"/teams/{team.pk}/cycles/{cycle_.pk}/"


@pytest.mark.parametrize("phone", [False, True], ids=["1280", "375"])
def test_the_board_marks_a_quick_member_as_provisional(
    open_page, board_with_a_quick_member, shoot, phone
):
    manager, url = board_with_a_quick_member
    page = open_page(manager, phone=phone)
    page.goto(url)

    row = page.locator(".heatmap tbody tr", has_text="dora")
    expect(row.locator(".badge-provisional")).to_have_text(re.compile("^Provisoire"))
    expect(page.locator("#provisional-help")).to_contain_text("1 membre n’a qu’un résultat rapide")
    assert page.evaluate("document.documentElement.scrollWidth") <= (375 if phone else 1280)
    shoot(page, "board-provisional")
