"""Create a demo team with two review cycles, so that anyone can look around a populated
team dashboard: `python manage.py demo_team [--password PASSWORD] [--base-url URL]`.

Running it again rebuilds the team's content (assessments, ratings, invitations and
members are made anew) in the same team and cycles, so the links printed by an earlier
run keep working. Levels come from a seeded generator, so two runs on the same catalogue
give the same figures. Links use `--base-url`, else the SITE_URL environment variable,
else http://127.0.0.1:8000 (`make run`'s address; `make demo` passes its HOST).
"""

import os
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import AnswerInput, answers_save, assessment_submit
from careers.models import Role, RoleRequirement
from teams import services as team_services
from teams.models import ReviewCycle, Team, TeamMembership
from teams.revision import team_touch

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
TEAM_NAME = "Équipe Programmes (démo)"
MANAGER = "demo-manager"
CORE_ROLES = ("TPM", "PMO", "CPT")
# (first name, target role, role if that one is not published, personality)
MEMBERS = [
    ("Camille", "TPM", "TPM", "tech"),
    ("Julien", "TPM", "TPM", "governance"),
    ("Sarah", "TPM", "TPM", "people"),
    ("Thomas", "CPT", "CPT", "tech"),
    ("Léa", "CPT", "CPT", "balanced"),
    ("Nicolas", "CPT", "CPT", "governance"),
    ("Manon", "PMO", "PMO", "governance"),
    ("Hugo", "PMO", "PMO", "people"),
    ("Chloé", "SENIOR-TPM", "TPM", "tech"),
    ("Antoine", "PMO-ANALYST", "PMO", "balanced"),
]
# A personality moves whole skill categories up or down from "one below the target".
PERSONALITIES = {
    "tech": {"technical": 1, "methods-tools": 1, "business-finance": -1},
    "governance": {"project-management": 1, "business-finance": 1, "technical": -1},
    "people": {"leadership-communication": 1, "technical": -1},
    "balanced": {},
}
NOT_STARTED, IN_PROGRESS = 8, 10  # member numbers, in the current cycle only
# member number -> rate every skill ("all") or about half of them; members left out are
# not rated. Shared reviews are among the fully rated ones.
PREVIOUS_RATINGS = {1: "all", 2: "all", 3: "half", 4: "all", 5: "all", 6: "half", 7: "all"}
PREVIOUS_SHARED = (1, 2, 4, 7)
CURRENT_RATINGS = {1: "all", 2: "half", 4: "all", 5: "half", 7: "all", 9: "all"}
CURRENT_SHARED = (1, 4)
STRONG_NOTES = [
    "Mis en pratique sur le programme de refonte du SI client.",
    "Référente pour deux équipes sur ce sujet depuis l'an dernier.",
    "Retours positifs des parties prenantes au dernier comité de pilotage.",
    "Animé un atelier interne sur le sujet en mars.",
]
WEAK_NOTES = [
    "Formation suivie, encore peu appliquée au quotidien.",
    "À consolider : je m'appuie encore beaucoup sur l'équipe.",
    "Peu d'occasions de le pratiquer sur mes projets actuels.",
]
COMMENTS = [
    "D'accord avec ton évaluation.",
    "Belle progression ce semestre.",
    "Bon niveau, à partager davantage avec l'équipe.",
]
BLIND_SPOT_LOWER = "Je te vois moins avancé·e : parlons-en en entretien, avec des exemples."
BLIND_SPOT_HIGHER = "Tu te sous-estimes : tes livrables montrent un niveau plus élevé."


class Command(BaseCommand):
    help = "Create (or rebuild) a demo team with two review cycles, for a look around."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo-pass-2026")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("SITE_URL") or DEFAULT_BASE_URL,
            help="address the server answers on, for the printed links (SITE_URL, else "
            f"{DEFAULT_BASE_URL})",
        )

    def handle(self, *args, password, base_url, **options):
        base_url = base_url.strip().rstrip("/")
        try:
            URLValidator(schemes=["http", "https"])(base_url)
        except ValidationError:
            raise CommandError(f"--base-url must be an http(s) address: {base_url!r}") from None
        self.base_url = base_url
        if Role.objects.filter(code__in=CORE_ROLES).count() < len(CORE_ROLES):
            call_command("load_catalogue", stdout=self.stdout)
        self.rng = random.Random(42)
        with transaction.atomic():
            team, previous, current = self.build(password)
        login = base_url + reverse("login")
        page = base_url + team.get_absolute_url()
        dashboard = base_url + reverse("teams:cycle", args=[team.pk, current.pk])
        self.stdout.write(self.style.SUCCESS(f"{TEAM_NAME}: {len(MEMBERS)} members, 2 cycles."))
        self.stdout.write(
            f"Log in at {login} as {MANAGER} (manager) or demo-member-1 (member), "
            f"password {password}; the team is {page} and its dashboard {dashboard}\n"
            f"Connectez-vous sur {login} avec {MANAGER} (responsable) ou demo-member-1 "
            f"(membre), mot de passe {password} ; l'équipe est sur {page} et son tableau "
            f"de bord sur {dashboard}"
        )

    def build(self, password):
        manager = self.user(MANAGER, "Isabelle", password)
        team = (
            Team.objects.filter(
                name=TEAM_NAME, memberships__user=manager, memberships__kind="manager"
            )
            .order_by("pk")
            .first()
        )
        kept: list[ReviewCycle] = []
        if team is None:
            team = team_services.team_create(manager=manager, name=TEAM_NAME)
        else:  # rebuilt in place: the team's and its cycles' links stay valid
            team_touch(team_id=team.pk)
            Assessment.objects.filter(cycle__team=team).delete()  # cycles protect them
            team.invitations.all().delete()
            team.memberships.exclude(user=manager).delete()
            kept = list(team.cycles.order_by("opened_at", "pk"))
            ReviewCycle.objects.filter(pk__in=[c.pk for c in kept[2:]]).delete()
        published = {r.code: r for r in Role.objects.filter(is_published=True)}
        members = {}
        for number, (first_name, code, fallback, personality) in enumerate(MEMBERS, start=1):
            user = self.user(f"demo-member-{number}", first_name, password)
            role = published.get(code) or published[fallback]
            membership = TeamMembership.objects.create(
                team=team, user=user, kind=TeamMembership.Kind.MEMBER, target_role=role
            )
            members[number] = (membership, self.levels(role, PERSONALITIES[personality]))

        now = timezone.now()
        opened = now - timedelta(days=182)
        previous = self.cycle(
            team,
            kept[:1],
            name=f"Revue {opened:%Y}-S{1 if opened.month <= 6 else 2}",
            opened_at=opened,
            due_date=(opened + timedelta(days=30)).date(),
        )
        for membership, levels in members.values():
            answers = {skill_id: prev for skill_id, (prev, _cur) in levels.items()}
            self.answer(previous, membership, answers, submit=True)
        self.rate(previous, members, manager, PREVIOUS_RATINGS, PREVIOUS_SHARED)
        team_services.cycle_close(cycle=previous)
        ReviewCycle.objects.filter(pk=previous.pk).update(
            opened_at=opened, closed_at=opened + timedelta(days=45)
        )
        past = Assessment.objects.filter(cycle=previous)
        past.update(
            created_at=opened + timedelta(days=2),
            updated_at=opened + timedelta(days=20),
            submitted_at=opened + timedelta(days=20),
        )
        past.exclude(review_shared_at=None).update(review_shared_at=opened + timedelta(days=40))

        current = self.cycle(
            team,
            kept[1:2],
            name=f"Revue {now:%Y}-S{1 if now.month <= 6 else 2}",
            opened_at=now,
            due_date=(now + timedelta(weeks=3)).date(),
        )
        for number, (membership, levels) in members.items():
            if number == NOT_STARTED:
                continue
            answers = {skill_id: cur for skill_id, (_prev, cur) in levels.items()}
            if number == IN_PROGRESS:
                answers = dict(list(answers.items())[: len(answers) // 2])
            self.answer(current, membership, answers, submit=number != IN_PROGRESS)
        self.rate(current, members, manager, CURRENT_RATINGS, CURRENT_SHARED)

        team_services.invitation_create(
            team=team,
            email="demo-invite@example.com",
            kind=TeamMembership.Kind.MEMBER,
            invited_by=manager,
            link_for=lambda inv: self.base_url + inv.get_absolute_url(),
        )
        return team, previous, current

    def cycle(self, team, kept, **fields):
        """An open cycle: the one kept from an earlier run, reset, or a new one."""
        if not kept:
            return ReviewCycle.objects.create(team=team, **fields)
        cycle = kept[0]
        ReviewCycle.objects.filter(pk=cycle.pk).update(closed_at=None, **fields)
        cycle.refresh_from_db()
        return cycle

    def user(self, username, first_name, password):
        user, _created = get_user_model().objects.get_or_create(username=username)
        user.first_name, user.email = first_name, f"{username}@example.com"
        user.set_password(password)
        user.save()
        # Made-up addresses: the demo people get no reminders (My account turns them on).
        from notifications.models import Kind
        from notifications.services import preferences_save

        preferences_save(user=user, turned_off=Kind.values)
        return user

    def levels(self, role, offsets):
        """skill id -> (previous level, current level): equal, or one up since last time."""
        levels = {}
        requirements = RoleRequirement.objects.filter(role=role).select_related("skill__category")
        for req in requirements.order_by("skill__category__order", "skill__order"):
            shift = offsets.get(req.skill.category.code, 0) + self.rng.choice((-1, 0, 0, 1))
            current = min(4, max(0, req.target - 1 + shift))
            previous = max(0, current - (self.rng.random() < 0.4))
            levels[req.skill_id] = (previous, current)
        return levels

    def answer(self, cycle, membership, levels, *, submit):
        assessment = team_services.cycle_assessment_start(cycle=cycle, membership=membership)
        values = {}
        for skill_id, level in levels.items():
            notes = STRONG_NOTES if level >= 3 else WEAK_NOTES if level <= 1 else []
            note = self.rng.choice(notes) if notes and self.rng.random() < 0.25 else ""
            values[skill_id] = AnswerInput(level, note)
        answers_save(assessment=assessment, values=values)
        if submit:
            assessment_submit(assessment=assessment)

    def rate(self, cycle, members, manager, plan, shared):
        """Ratings mostly within one level of the member's own, plus a few blind spots."""
        blind_spots = set(self.rng.sample(sorted(plan), 3))
        for number, extent in plan.items():
            membership = members[number][0]
            assessment = Assessment.objects.get(cycle=cycle, owner=membership.user)
            snapshot = assessment.read_snapshot()
            own = list(snapshot["levels"].items())
            if extent == "half":
                own = own[::2]
            spot = self.rng.randrange(len(own)) if number in blind_spots else None
            values = {}
            for index, (code, level) in enumerate(own):
                comment = self.rng.choice(COMMENTS) if self.rng.random() < 0.06 else ""
                if index == spot:  # two levels apart: a blind spot on the dashboard
                    lower = level >= 2
                    rated = level - 2 if lower else level + 2
                    comment = BLIND_SPOT_LOWER if lower else BLIND_SPOT_HIGHER
                else:
                    rated = min(4, max(0, level + self.rng.choice((-1, 0, 0, 0, 1))))
                values[snapshot["skills"][code]["id"]] = (rated, comment)
            team_services.ratings_save(assessment=assessment, manager=manager, values=values)
            if number in shared:
                team_services.review_share(assessment=assessment, manager=manager)
