"""The benchmark's dataset, built with the app's own services (imported after django.setup()).

A team of N members (default 200) managed by `demo-manager`, three review cycles (two
closed, the current one open), each member assessing themselves against their target
role plus one or two neighbouring roles (41 to 43 skills per assessment); and one
individual, `bench-individual`, with a submitted result over every published role and
an open draft over the same roles, half answered.

Assessments go through team_services.cycle_assessment_start, services.answers_save and
services.assessment_submit, so every snapshot is the app's own. Users, memberships,
manager ratings and pending invitations are bulk-created (one PBKDF2 hash shared by
all users, ratings without one INSERT each): the rows are the ones the services write.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

PASSWORD = "demo-pass-2026"
MANAGER = "demo-manager"
INDIVIDUAL = "bench-individual"
TEAM_NAME = "Équipe Programmes (bench)"

# target role -> roles of the assessment (the target first): 41 to 43 skills each.
ROLE_SETS = {
    "TPM": ("TPM", "CPT", "SENIOR-TPM"),
    "CPT": ("CPT", "SENIOR-TPM"),
    "SENIOR-TPM": ("SENIOR-TPM", "CPT"),
    "PMO": ("PMO", "CPT"),
    "PMO-MANAGER": ("PMO-MANAGER", "CPT"),
}
TARGET_WEIGHTS = {"TPM": 30, "CPT": 30, "SENIOR-TPM": 20, "PMO": 10, "PMO-MANAGER": 10}
FIRST_NAMES = [
    "Camille", "Julien", "Sarah", "Thomas", "Léa", "Nicolas", "Manon", "Hugo", "Chloé",
    "Antoine", "Inès", "Lucas", "Emma", "Louis", "Zoé", "Gabriel", "Jade", "Arthur",
]  # fmt: skip

# Per cycle (oldest first): share of members who submitted, who left a draft, and of
# submitted assessments the manager rated fully, rated half of, and shared.
CYCLES = [
    {"days_ago": 365, "submitted": 0.95, "draft": 0.02, "full": 0.80, "half": 0.10, "shared": 0.5},
    {"days_ago": 182, "submitted": 0.97, "draft": 0.02, "full": 0.80, "half": 0.10, "shared": 0.5},
    {"days_ago": 10, "submitted": 0.85, "draft": 0.08, "full": 0.40, "half": 0.20, "shared": 0.2},
]
PENDING_INVITATIONS = 5


@dataclass
class Built:
    team_id: int = 0
    cycle_ids: list[int] = field(default_factory=list)  # oldest first; the last is open
    result_id: int = 0  # the individual's submitted result
    draft_id: int = 0  # the individual's open draft
    draft_skill_id: int = 0  # first skill of the draft's first step (for the autosave)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def build(members: int = 200, seed: int = 42) -> Built:
    import time

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from assessments.models import Answer, Assessment
    from assessments.services import AnswerInput, answers_save, assessment_start, assessment_submit
    from careers.models import Role, RoleRequirement, Skill
    from careers.selectors import questionnaire_steps
    from teams import services as team_services
    from teams.management.commands.demo_team import (
        BLIND_SPOT_HIGHER,
        BLIND_SPOT_LOWER,
        COMMENTS,
        PERSONALITIES,
        STRONG_NOTES,
        WEAK_NOTES,
    )
    from teams.models import Invitation, ManagerRating, ReviewCycle, TeamMembership

    rng = random.Random(seed)
    user_model = get_user_model()
    built = Built()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        built.timings[name] = built.timings.get(name, 0.0) + now - clock
        clock = now

    roles = {r.code: r for r in Role.objects.filter(is_published=True)}
    category_of = dict(Skill.objects.values_list("pk", "category__code"))
    targets: dict[tuple[str, ...], dict[int, int]] = {}  # role set -> skill id -> target
    for role_codes in ROLE_SETS.values():
        per_skill: dict[int, int] = {}
        for req in RoleRequirement.objects.filter(role__code__in=role_codes):
            per_skill[req.skill_id] = max(per_skill.get(req.skill_id, 0), req.target)
        targets[role_codes] = per_skill

    with transaction.atomic():
        hashed = make_password(PASSWORD)  # one hash for all: create_user would take minutes
        manager = user_model.objects.create(
            username=MANAGER, first_name="Isabelle", email=f"{MANAGER}@example.com",
            password=hashed,
        )  # fmt: skip
        team = team_services.team_create(manager=manager, name=TEAM_NAME)
        built.team_id = team.pk
        users = user_model.objects.bulk_create(
            user_model(
                username=f"bench-member-{i:03d}",
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                email=f"bench-member-{i:03d}@example.com",
                password=hashed,
            )
            for i in range(1, members + 1)
        )
        codes = rng.choices(list(TARGET_WEIGHTS), weights=list(TARGET_WEIGHTS.values()), k=members)
        memberships = TeamMembership.objects.bulk_create(
            TeamMembership(team=team, user=user, kind="member", target_role=roles[code])
            for user, code in zip(users, codes, strict=True)
        )
        Invitation.objects.bulk_create(
            Invitation(
                team=team,
                email=f"bench-invite-{i}@example.com",
                kind="member",
                invited_by=manager,
                expires_at=timezone.now() + timedelta(days=Invitation.VALID_FOR_DAYS),
            )
            for i in range(PENDING_INVITATIONS)
        )
        lap("users and memberships")

        # Levels per member and cycle: "one below the target" moved by a personality,
        # and up by one from a cycle to the next about 40% of the time.
        plans = []
        for membership, code in zip(memberships, codes, strict=True):
            role_set = ROLE_SETS[code]
            offsets = PERSONALITIES[rng.choice(list(PERSONALITIES))]
            current = {}
            for skill_id, target in targets[role_set].items():
                shift = offsets.get(category_of[skill_id], 0) + rng.choice((-1, 0, 0, 1))
                current[skill_id] = min(4, max(0, target - 1 + shift))
            per_cycle = [current]
            for _ in range(len(CYCLES) - 1):
                per_cycle.insert(
                    0, {s: max(0, lv - (rng.random() < 0.4)) for s, lv in per_cycle[0].items()}
                )
            plans.append((membership, [roles[c] for c in role_set], per_cycle))

        now = timezone.now()
        for number, spec in enumerate(CYCLES):
            opened = now - timedelta(days=spec["days_ago"])
            cycle = team_services.cycle_open(
                team=team,
                name=f"Revue {opened:%Y}-S{1 if opened.month <= 6 else 2}",
                due_date=(opened + timedelta(days=30)).date(),
            )
            built.cycle_ids.append(cycle.pk)
            submitted_ids = []
            for membership, role_objs, per_cycle in plans:
                draw = rng.random()
                if draw >= spec["submitted"] + spec["draft"]:
                    continue  # not started
                levels = per_cycle[number]
                assessment = team_services.cycle_assessment_start(
                    cycle=cycle, membership=membership, roles=role_objs
                )
                if draw >= spec["submitted"]:
                    levels = dict(list(levels.items())[: len(levels) // 2])
                values = {}
                for skill_id, level in levels.items():
                    notes = STRONG_NOTES if level >= 3 else WEAK_NOTES if level <= 1 else []
                    note = rng.choice(notes) if notes and rng.random() < 0.25 else ""
                    values[skill_id] = AnswerInput(level, note)
                answers_save(assessment=assessment, values=values)
                lap("assessments and answers")
                if draw < spec["submitted"]:
                    assessment_submit(assessment=assessment)
                    submitted_ids.append(assessment.pk)
                lap("submissions (snapshots)")

            # Manager ratings: mostly within one level of the member's own, a few blind
            # spots two levels apart, an occasional comment.
            ratings, shared = [], []
            for assessment in Assessment.objects.filter(pk__in=submitted_ids).order_by("pk"):
                draw = rng.random()
                if draw >= spec["full"] + spec["half"]:
                    continue
                snapshot = assessment.read_snapshot()
                own = list(snapshot["levels"].items())
                if draw >= spec["full"]:
                    own = own[::2]
                elif rng.random() < spec["shared"] / spec["full"]:
                    shared.append(assessment.pk)
                spot = rng.randrange(len(own)) if rng.random() < 0.3 else None
                for index, (code, level) in enumerate(own):
                    comment = rng.choice(COMMENTS) if rng.random() < 0.06 else ""
                    if index == spot:
                        lower = level >= 2
                        rated = level - 2 if lower else level + 2
                        comment = BLIND_SPOT_LOWER if lower else BLIND_SPOT_HIGHER
                    else:
                        rated = min(4, max(0, level + rng.choice((-1, 0, 0, 0, 1))))
                    ratings.append(
                        ManagerRating(
                            assessment=assessment,
                            skill_id=snapshot["skills"][code]["id"],
                            level=rated,
                            comment=comment,
                            rated_by=manager,
                        )
                    )
            ManagerRating.objects.bulk_create(ratings, batch_size=2000)
            Assessment.objects.filter(pk__in=shared).update(review_shared_at=now)
            lap("manager ratings")

            if number < len(CYCLES) - 1:  # close past cycles, dated as they happened
                team_services.cycle_close(cycle=cycle)
                ReviewCycle.objects.filter(pk=cycle.pk).update(
                    opened_at=opened, closed_at=opened + timedelta(days=45)
                )
                past = Assessment.objects.filter(cycle=cycle)
                past.update(
                    created_at=opened + timedelta(days=2), updated_at=opened + timedelta(days=20)
                )
                past.exclude(submitted_at=None).update(submitted_at=opened + timedelta(days=20))
                past.exclude(review_shared_at=None).update(
                    review_shared_at=opened + timedelta(days=40)
                )
            else:
                ReviewCycle.objects.filter(pk=cycle.pk).update(opened_at=opened)

        # The individual: a result over every published role, and a half-answered draft.
        individual = user_model.objects.create(
            username=INDIVIDUAL, first_name="Alex", email=f"{INDIVIDUAL}@example.com",
            password=hashed,
        )  # fmt: skip
        every_role = list(roles.values())
        skills = [
            s for step in questionnaire_steps([r.pk for r in every_role]) for s in step.skills
        ]
        result = assessment_start(owner=individual, roles=every_role)
        answers_save(
            assessment=result,
            values={
                s.pk: AnswerInput(rng.randint(0, 4), rng.choice(STRONG_NOTES) if i % 5 == 0 else "")
                for i, s in enumerate(skills)
            },
        )
        assessment_submit(assessment=result)
        draft = assessment_start(owner=individual, roles=every_role)
        answers_save(
            assessment=draft,
            values={s.pk: AnswerInput(rng.randint(0, 4), "") for s in skills[: len(skills) // 2]},
        )
        built.result_id, built.draft_id, built.draft_skill_id = result.pk, draft.pk, skills[0].pk
        lap("individual")

    counts = built.counts
    counts["users"] = user_model.objects.count()
    counts["team members"] = TeamMembership.objects.filter(team=team, kind="member").count()
    counts["cycles"] = len(built.cycle_ids)
    counts["submitted assessments"] = Assessment.objects.filter(status="submitted").count()
    counts["draft assessments"] = Assessment.objects.filter(status="draft").count()
    counts["answers"] = Answer.objects.count()
    counts["manager ratings"] = ManagerRating.objects.count()
    counts["current cycle: submitted"] = Assessment.objects.filter(
        cycle_id=built.cycle_ids[-1], status="submitted"
    ).count()
    sizes = [
        len(a.read_snapshot()["levels"])
        for a in Assessment.objects.filter(cycle__team=team, status="submitted").only("snapshot")
    ]
    counts["skills per team assessment (min)"] = min(sizes)
    counts["skills per team assessment (max)"] = max(sizes)
    counts["skills in the individual's result"] = len(skills)
    return built


def open_drafts(limit: int = 8) -> list[tuple[str, int, int]]:
    """Up to `limit` team members' drafts in the open cycle: (username, draft id, the
    id of one of its questions), for autosaves from several people at once."""
    from assessments.models import Assessment
    from assessments.selectors import questionnaire_skill_ids

    drafts = (
        Assessment.objects.filter(
            status="draft", cycle__isnull=False, cycle__closed_at__isnull=True
        )
        .select_related("owner", "cycle")
        .order_by("pk")[:limit]
    )
    return [(d.owner.username, d.pk, min(questionnaire_skill_ids(d))) for d in drafts]


def find(members: int | None = None) -> Built:
    """The ids of a dataset built earlier (for --reuse)."""
    from assessments.models import Answer, Assessment
    from careers.selectors import questionnaire_steps
    from teams.models import ReviewCycle, Team, TeamMembership

    team = Team.objects.get(name=TEAM_NAME)
    built = Built(team_id=team.pk)
    built.cycle_ids = list(
        ReviewCycle.objects.filter(team=team).order_by("opened_at").values_list("pk", flat=True)
    )
    mine = Assessment.objects.filter(owner__username=INDIVIDUAL)
    result = mine.filter(status="submitted").latest("pk")
    draft = mine.filter(status="draft").latest("pk")
    steps = questionnaire_steps(draft.roles.values_list("pk", flat=True))
    built.result_id, built.draft_id, built.draft_skill_id = (
        result.pk,
        draft.pk,
        steps[0].skills[0].pk,
    )
    built.counts = {
        "team members": TeamMembership.objects.filter(team=team, kind="member").count(),
        "cycles": len(built.cycle_ids),
        "submitted assessments": Assessment.objects.filter(status="submitted").count(),
        "draft assessments": Assessment.objects.filter(status="draft").count(),
        "answers": Answer.objects.count(),
    }
    return built
