"""Writing messages down and queueing them; the reminders that are due.

Every message is a `Message` row inserted in the caller's transaction, and its sending
is queued once that transaction commits (`transaction.on_commit`): a write that rolls
back sends nothing. The row's unique key is what makes a reminder leave once at most.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import TRANSACTIONAL, Kind, Message, Preference

LANGUAGES = {code for code, _name in settings.LANGUAGES}
STALE_AFTER = timedelta(days=14)


def link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def after_commit(func) -> None:
    """Run `func` once the current transaction commits (at once outside one). The tests
    replace it (tests/conftest.py) so that a test's own transaction counts as none."""
    transaction.on_commit(func)


def _enqueue(message_ids: Iterable[int]) -> None:
    from .tasks import deliver

    for pk in message_ids:
        after_commit(lambda pk=pk: deliver.delay(pk))


def mail_queue(
    *, to: str, subject: str, text: str, html: str = "", user=None, key: str = ""
) -> None:
    """Send a message written in the caller's language, once the transaction commits."""
    message, created = Message.objects.get_or_create(
        key=key or f"{TRANSACTIONAL}:{uuid.uuid4().hex}",
        defaults={
            "kind": TRANSACTIONAL,
            "user": user,
            "to": to,
            "subject": " ".join(subject.split())[:300],
            "text": text,
            "html": html,
        },
    )
    if created:
        _enqueue([message.pk])


def language_remember(*, user, language: str) -> None:
    language = (language or "").split("-")[0]
    if language in LANGUAGES:
        Preference.objects.update_or_create(user=user, defaults={"language": language})


def preference_of(user) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def preferences_save(*, user, turned_off: Iterable[str], language: str = "") -> Preference:
    kinds = sorted(set(turned_off) & set(Kind.values))
    defaults: dict = {"turned_off": kinds}
    if language.split("-")[0] in LANGUAGES:
        defaults["language"] = language.split("-")[0]
    preference, _created = Preference.objects.update_or_create(user=user, defaults=defaults)
    return preference


@dataclass
class Draft:
    """A reminder decided on, not yet written down."""

    key: str
    kind: str
    user: Any
    context: dict


def _preference(user) -> Preference:
    try:
        return user.notification_preference
    except Preference.DoesNotExist:
        return Preference(user=user)


def render(kind: str, *, language: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of a reminder, in `language`."""
    with translation.override(language):
        subject = render_to_string(f"notifications/{kind}_subject.txt", context)
        text = render_to_string(f"notifications/{kind}.txt", context)
        html = render_to_string(f"notifications/{kind}.html", context)
    return " ".join(subject.split())[:300], text, html


def record(drafts: Iterable[Draft]) -> list[int]:
    """Insert the drafts nobody asked before (keys already there are left alone) and
    queue them; the ids of the ones this call inserted. A fixed number of queries."""
    batch = uuid.uuid4()
    rows = []
    for draft in drafts:
        preference = _preference(draft.user)
        email = getattr(draft.user, "email", "")
        if not email or not draft.user.is_active or not preference.wants(draft.kind):
            continue
        subject, text, html = render(
            draft.kind, language=preference.language, context=draft.context
        )
        rows.append(
            Message(
                key=draft.key,
                kind=draft.kind,
                user=draft.user,
                to=email,
                subject=subject,
                text=text,
                html=html,
                batch=batch,
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        Message.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(Message.objects.filter(batch=batch).values_list("pk", flat=True))
    _enqueue(ids)
    return ids


def _known(keys: set[str]) -> set[str]:
    return set(Message.objects.filter(key__in=keys).values_list("key", flat=True))


def _fresh(drafts: list[Draft]) -> list[Draft]:
    known = _known({d.key for d in drafts}) if drafts else set()
    return [d for d in drafts if d.key not in known]


def _users():
    return get_user_model().objects.select_related("notification_preference")


def cycle_opened_drafts(cycle_id: int) -> list[Draft]:
    from teams.models import ReviewCycle, TeamMembership

    cycle = ReviewCycle.objects.select_related("team").filter(pk=cycle_id).first()
    if cycle is None or not cycle.is_open:
        return []
    members = TeamMembership.objects.filter(
        team=cycle.team_id, kind=TeamMembership.Kind.MEMBER
    ).select_related("user__notification_preference")
    return [
        Draft(
            key=f"{Kind.CYCLE_OPENED}:{cycle.pk}:{m.user_id}",
            kind=Kind.CYCLE_OPENED,
            user=m.user,
            context={
                "cycle": cycle.name,
                "team": cycle.team.name,
                "due_date": cycle.due_date,
                "link": link(cycle.team.get_absolute_url()),
            },
        )
        for m in members
    ]


def review_shared_drafts(assessment_id: int) -> list[Draft]:
    from assessments.models import Assessment

    assessment = (
        Assessment.objects.select_related("owner__notification_preference", "cycle__team")
        .filter(pk=assessment_id)
        .exclude(review_shared_at=None)
        .first()
    )
    if assessment is None or assessment.cycle is None:
        return []
    return [
        Draft(
            key=f"{Kind.REVIEW_SHARED}:{assessment.pk}",
            kind=Kind.REVIEW_SHARED,
            user=assessment.owner,
            context={
                "cycle": assessment.cycle.name,
                "team": assessment.cycle.team.name,
                "link": link(reverse("teams:shared_review", args=[assessment.pk])),
            },
        )
    ]


def _due_drafts(today: date) -> list[Draft]:
    """Members of open cycles due in 7 days or tomorrow who have not submitted."""
    from assessments.models import Assessment
    from teams.models import ReviewCycle, TeamMembership

    cycles = list(
        ReviewCycle.objects.select_related("team").filter(
            closed_at=None, due_date__gte=today, due_date__lte=today + timedelta(days=7)
        )
    )
    if not cycles:
        return []
    submitted = set(
        Assessment.objects.filter(cycle__in=cycles, status=Assessment.Status.SUBMITTED).values_list(
            "cycle_id", "owner_id"
        )
    )
    members = defaultdict(list)
    for m in TeamMembership.objects.filter(
        team__in={c.team_id for c in cycles}, kind=TeamMembership.Kind.MEMBER
    ).select_related("user__notification_preference"):
        members[m.team_id].append(m)
    drafts = []
    for cycle in cycles:
        kind = Kind.DUE_1 if (cycle.due_date - today).days <= 1 else Kind.DUE_7
        for m in members[cycle.team_id]:
            if (cycle.pk, m.user_id) in submitted:
                continue
            drafts.append(
                Draft(
                    key=f"{kind}:{cycle.pk}:{m.user_id}:{cycle.due_date.isoformat()}",
                    kind=kind,
                    user=m.user,
                    context={
                        "cycle": cycle.name,
                        "team": cycle.team.name,
                        "due_date": cycle.due_date,
                        "link": link(cycle.team.get_absolute_url()),
                    },
                )
            )
    return drafts


def _stale_drafts(now) -> list[Draft]:
    from assessments.models import Assessment

    return [
        Draft(
            key=f"{Kind.DRAFT_STALE}:{a.pk}:{a.updated_at.date().isoformat()}",
            kind=Kind.DRAFT_STALE,
            user=a.owner,
            context={"updated": a.updated_at.date(), "link": link(a.get_absolute_url())},
        )
        for a in Assessment.objects.filter(
            status=Assessment.Status.DRAFT,
            updated_at__lte=now - STALE_AFTER,
            updated_at__gte=now - 4 * STALE_AFTER,  # not years-old drafts, all at once
        ).select_related("owner__notification_preference")
    ]


def _plan_drafts(today: date) -> list[Draft]:
    from plans.models import PlanItem

    return [
        Draft(
            key=f"{Kind.PLAN_DUE}:{item.pk}:{item.due_date.isoformat()}",
            kind=Kind.PLAN_DUE,
            user=item.owner,
            context={
                "title": item.title or item.skill_code,
                "due_date": item.due_date,
                "link": link(reverse("plans:plan")),
            },
        )
        for item in PlanItem.objects.filter(
            status__in=PlanItem.ACTIVE, due_date__gte=today, due_date__lte=today + timedelta(1)
        ).select_related("owner__notification_preference")
        if item.due_date
    ]


def _digest_drafts(today: date) -> list[Draft]:
    """Each manager of a team with an open cycle: who submitted, who has not, who is
    late; once a week (the key holds the ISO week)."""
    from assessments.models import Assessment
    from teams.models import ReviewCycle, TeamMembership

    cycles = list(ReviewCycle.objects.select_related("team").filter(closed_at=None))
    if not cycles:
        return []
    submitted = set(
        Assessment.objects.filter(cycle__in=cycles, status=Assessment.Status.SUBMITTED).values_list(
            "cycle_id", "owner_id"
        )
    )
    by_team: dict[int, dict[str, list]] = defaultdict(lambda: {"managers": [], "members": []})
    for m in TeamMembership.objects.filter(team__in={c.team_id for c in cycles}).select_related(
        "user__notification_preference"
    ):
        by_team[m.team_id]["managers" if m.is_manager else "members"].append(m)
    sections: dict[int, list[dict]] = defaultdict(list)
    managers: dict[int, Any] = {}
    for cycle in cycles:
        people = by_team[cycle.team_id]
        done = [
            m.user.get_username() for m in people["members"] if (cycle.pk, m.user_id) in submitted
        ]
        waiting = [
            m.user.get_username()
            for m in people["members"]
            if (cycle.pk, m.user_id) not in submitted
        ]
        section = {
            "team": cycle.team.name,
            "cycle": cycle.name,
            "due_date": cycle.due_date,
            "late": cycle.due_date < today,
            "submitted": sorted(done),
            "waiting": sorted(waiting),
            "link": link(reverse("teams:cycle", args=[cycle.team_id, cycle.pk])),
        }
        for m in people["managers"]:
            sections[m.user_id].append(section)
            managers[m.user_id] = m.user
    year, week, _day = today.isocalendar()
    return [
        Draft(
            key=f"{Kind.DIGEST}:{user_id}:{year}-W{week:02d}",
            kind=Kind.DIGEST,
            user=managers[user_id],
            context={"sections": sections[user_id], "link": sections[user_id][0]["link"]},
        )
        for user_id in sections
    ]


def drafts_send(drafts: list[Draft]) -> list[int]:
    """Record and queue the drafts not sent before."""
    return record(_fresh(drafts))


def reminders_send(now=None) -> list[int]:
    """Write down and queue every reminder due now that was not sent before; the ids of
    the new messages. Running it twice sends nothing new. The number of queries does
    not grow with the number of people or teams."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    drafts = _due_drafts(today) + _stale_drafts(now) + _plan_drafts(today) + _digest_drafts(today)
    return drafts_send(drafts)
