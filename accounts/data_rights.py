"""A person's data rights: everything the app holds about them as one archive, and its
erasure by an administrator (docs/DESIGN.md, "People's data rights").

The archive is a zip built in a temporary file, one member at a time, with each kind of
row read by one query (iterated, not loaded whole): its cost in queries does not grow
with the number of assessments, nor its memory with their size. Its layout:

    README.txt                     what each file holds, in the person's language
    account.json                   the account
    assessments/<id>/answers.json  one assessment (drafts too): its answers and notes
    assessments/<id>/result.json   a submitted one's result, in the export contract
    assessments/<id>/gaps.csv      the same, as the result's gaps.csv
    plan.json                      plan items with their comments, and the sharing
    reviews.json                   manager ratings received, with comments and who rated
    teams.json                     memberships and invitations to the person's address
    notifications.json             reminder choices, and the messages sent to the person
    api_tokens.json                personal access tokens: name, scope, dates, never the secret
    logins.json                    log-ins, log-outs and failed log-ins kept for the account
"""

import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import IO, Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from api.models import AccessToken
from assessments.models import Answer, Assessment
from assessments.results import gaps_csv_write, result_document
from notifications.models import Message, Preference
from plans.models import PlanComment, PlanItem, PlanShare
from teams.models import Invitation, ManagerRating, ReviewCycle, Team, TeamMembership
from teams.selectors import cycles_of_person, departure_blockers, teams_only_of
from teams.services import cycles_refigure, invitations_forget, membership_set_kind

from .models import EmailConfirmation, ErasureRecord
from .services import DeletionBlocked

CHUNK = 200


def person_language(user) -> str:
    """The language the person last used the site in (French when never recorded)."""
    preference = Preference.objects.filter(user=user).first()
    return preference.language if preference else "fr"


def archive_name(user) -> str:
    return f"cap-competences-{user.pk}-{timezone.localdate():%Y-%m-%d}.zip"


def _json(zf: zipfile.ZipFile, name: str, data: Any) -> None:
    zf.writestr(name, json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))


def _at(value) -> str | None:
    return value.isoformat() if value else None


def _account(user) -> dict[str, Any]:
    confirmation = EmailConfirmation.objects.filter(user=user).first()
    return {
        "id": user.pk,
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "email_confirmed": bool(confirmation and confirmation.confirms(user.email)),
        "email_confirmed_at": _at(confirmation.confirmed_at) if confirmation else None,
        "date_joined": _at(user.date_joined),
        "last_login": _at(user.last_login),
        "is_active": user.is_active,
    }


class Grouped:
    """Rows ordered by `key`, handed out group by group for keys asked in increasing
    order: a merge with another ordered reading, so neither is held whole."""

    def __init__(self, rows: Iterable, key: str) -> None:
        self.groups = groupby(rows, key=attrgetter(key))
        self.pending: tuple[Any, Iterator] | None = next(self.groups, None)

    def take(self, value: int) -> list:
        while self.pending is not None and self.pending[0] < value:
            self.pending = next(self.groups, None)
        if self.pending is None or self.pending[0] != value:
            return []
        rows = list(self.pending[1])
        self.pending = next(self.groups, None)
        return rows


def _assessments(zf: zipfile.ZipFile, user) -> int:
    """One folder per assessment, oldest first; 3 queries whatever their number."""
    assessments = (
        Assessment.objects.filter(owner=user)
        .select_related("cycle__team")
        .defer("digest")
        .order_by("pk")
    )
    roles: dict[int, list[str]] = {}
    for pk, code in Assessment.roles.through.objects.filter(assessment__owner=user).values_list(
        "assessment_id", "role__code"
    ):
        roles.setdefault(pk, []).append(code)
    answers = Grouped(
        Answer.objects.filter(assessment__owner=user)
        .select_related("skill")
        .order_by("assessment_id", "skill__category__order", "skill__order", "skill__code")
        .iterator(chunk_size=CHUNK),
        "assessment_id",
    )
    count = 0
    for assessment in assessments.iterator(chunk_size=CHUNK):
        count += 1
        folder = f"assessments/{assessment.pk}"
        cycle = assessment.cycle
        _json(
            zf,
            f"{folder}/answers.json",
            {
                "assessment": assessment.pk,
                "status": assessment.status,
                "mode": assessment.mode,
                "roles": sorted(roles.get(assessment.pk, [])),
                "created_at": _at(assessment.created_at),
                "updated_at": _at(assessment.updated_at),
                "submitted_at": _at(assessment.submitted_at),
                "team": cycle.team.name if cycle else None,
                "cycle": cycle.name if cycle else None,
                "review_shared_at": _at(assessment.review_shared_at),
                "answers": [
                    {
                        "skill": answer.skill.code,
                        "name": answer.skill.name,
                        "level": answer.level,
                        "note": answer.note,
                        "updated_at": _at(answer.updated_at),
                    }
                    for answer in answers.take(assessment.pk)
                ],
            },
        )
        if assessment.is_draft:
            continue
        document = result_document(assessment)
        _json(zf, f"{folder}/result.json", document)
        with zf.open(f"{folder}/gaps.csv", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            gaps_csv_write(document, text)
            text.flush()
            text.detach()
    return count


def _plan(user) -> dict[str, Any]:
    items = PlanItem.objects.filter(owner=user).select_related("skill", "agreed_by").order_by("pk")
    comments = Grouped(
        PlanComment.objects.filter(item__owner=user)
        .select_related("author")
        .order_by("item_id", "created_at", "pk")
        .iterator(chunk_size=CHUNK),
        "item_id",
    )
    shares = PlanShare.objects.filter(owner=user).select_related("team").order_by("shared_at")
    return {
        "items": [
            {
                "id": item.pk,
                "result": item.result_id,
                "skill": item.skill_code,
                "action": item.title or (item.step or {}).get("title", {}),
                "url": item.url or (item.step or {}).get("url", ""),
                "from_catalogue": bool(item.step),
                "level_then": item.level_then,
                "target": item.target_level,
                "status": item.status,
                "due_date": item.due_date,
                "done_at": _at(item.done_at),
                "notes": item.notes,
                "evidence": item.evidence,
                "agreed_by": item.agreed_by.get_username() if item.agreed_by else None,
                "agreed_at": _at(item.agreed_at),
                "created_at": _at(item.created_at),
                "comments": [
                    {
                        "author": comment.author.get_username() if comment.author else None,
                        "body": comment.body,
                        "created_at": _at(comment.created_at),
                    }
                    for comment in comments.take(item.pk)
                ],
            }
            for item in items.iterator(chunk_size=CHUNK)
        ],
        "shared_with": [
            {"team": share.team.name, "shared_at": _at(share.shared_at)} for share in shares
        ],
    }


def _reviews(user, *, unshared: bool) -> list[dict[str, Any]]:
    """Ratings received, per assessment; only shared reviews unless `unshared` (an
    administrator's export: a review the manager has not shared is theirs to finish,
    and the person sees it once shared, as on the site)."""
    ratings = ManagerRating.objects.filter(assessment__owner=user)
    if not unshared:
        ratings = ratings.filter(assessment__review_shared_at__isnull=False)
    ratings = ratings.select_related("skill", "rated_by", "assessment__cycle__team").order_by(
        "assessment_id", "skill__category__order", "skill__order", "skill__code"
    )
    reviews = []
    for _pk, group in groupby(ratings.iterator(chunk_size=CHUNK), key=attrgetter("assessment_id")):
        rows = list(group)
        assessment = rows[0].assessment
        cycle = assessment.cycle
        reviews.append(
            {
                "assessment": assessment.pk,
                "team": cycle.team.name if cycle else None,
                "cycle": cycle.name if cycle else None,
                "shared_at": _at(assessment.review_shared_at),
                "ratings": [
                    {
                        "skill": rating.skill.code,
                        "name": rating.skill.name,
                        "level": rating.level,
                        "comment": rating.comment,
                        "rated_by": rating.rated_by.get_username() if rating.rated_by else None,
                        "updated_at": _at(rating.updated_at),
                    }
                    for rating in rows
                ],
            }
        )
    return reviews


def _teams(user) -> dict[str, Any]:
    memberships = (
        TeamMembership.objects.filter(user=user)
        .select_related("team", "target_role")
        .order_by("joined_at", "pk")
    )
    invitations = _invitations_of(user).select_related("team", "invited_by").order_by("pk")
    return {
        "memberships": [
            {
                "team": membership.team.name,
                "kind": membership.kind,
                "target_role": membership.target_role.code if membership.target_role else None,
                "joined_at": _at(membership.joined_at),
            }
            for membership in memberships
        ],
        "invitations": [
            {
                "team": invitation.team.name,
                "email": invitation.email,
                "kind": invitation.kind,
                "invited_by": invitation.invited_by.get_username()
                if invitation.invited_by
                else None,
                "created_at": _at(invitation.created_at),
                "expires_at": _at(invitation.expires_at),
                "status": invitation.status,
            }
            for invitation in invitations
        ],
    }


def _invitations_of(user):
    """Invitations to the person's address, or accepted by them."""
    query = Q(accepted_by=user)
    if user.email:
        query |= Q(email__iexact=user.email)
    return Invitation.objects.filter(query)


def _messages_of(user):
    query = Q(user=user)
    if user.email:
        query |= Q(to__iexact=user.email)
    return Message.objects.filter(query)


def _notifications(user) -> dict[str, Any]:
    preference = Preference.objects.filter(user=user).first()
    messages = _messages_of(user).order_by("created_at", "pk")
    return {
        "preference": {
            "language": preference.language,
            "reminders_turned_off": preference.turned_off,
        }
        if preference
        else None,
        "messages": [
            {
                "kind": message.kind,
                "to": message.to,
                "subject": message.subject,
                "text": message.text,
                "created_at": _at(message.created_at),
                "sent_at": _at(message.sent_at),
            }
            for message in messages.iterator(chunk_size=CHUNK)
        ],
    }


def _tokens(user) -> list[dict[str, Any]]:
    return [
        {
            "name": token.name,
            "scope": token.scope,
            "prefix": token.prefix,
            "created_at": _at(token.created_at),
            "last_used_at": _at(token.last_used_at),
            "expires_at": _at(token.expires_at),
            "revoked_at": _at(token.revoked_at),
        }
        for token in AccessToken.objects.filter(owner=user).order_by("created_at", "pk")
    ]


def _logins(user) -> dict[str, Any]:
    """What django-axes keeps under the username: log-ins (address, browser, times),
    failed ones, and the failures counted towards a lockout now."""
    username = user.get_username()
    seen = ("ip_address", "user_agent", "path_info", "attempt_time")
    return {
        "logins": [
            {**{name: getattr(row, name) for name in seen}, "logout_time": row.logout_time}
            for row in AccessLog.objects.filter(username=username).order_by("attempt_time")
        ],
        "failures": [
            {name: getattr(row, name) for name in seen}
            for row in AccessFailureLog.objects.filter(username=username).order_by("attempt_time")
        ],
        "counted_now": [
            {**{name: getattr(row, name) for name in seen}, "failures": row.failures_since_start}
            for row in AccessAttempt.objects.filter(username=username).order_by("attempt_time")
        ],
    }


def person_archive(*, user, language: str | None = None, unshared_ratings: bool = False) -> IO:
    """The zip of everything the app holds about `user`, in a temporary file opened at
    its start (the caller closes it, which deletes it). Written in `language` (by
    default the person's own): README.txt, the names in results and answers, the CSV
    headers. 16 reads (17 without `language`), whatever the number of assessments, items
    or messages."""
    language = language or person_language(user)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (returned open, to be streamed)
    with (
        translation.override(language),
        transaction.atomic(),  # one consistent reading, and PostgreSQL's cursors need it
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        _json(zf, "account.json", _account(user))
        assessments = _assessments(zf, user)
        plan = _plan(user)
        _json(zf, "plan.json", plan)
        reviews = _reviews(user, unshared=unshared_ratings)
        _json(zf, "reviews.json", reviews)
        teams = _teams(user)
        _json(zf, "teams.json", teams)
        notifications = _notifications(user)
        _json(zf, "notifications.json", notifications)
        tokens = _tokens(user)
        _json(zf, "api_tokens.json", tokens)
        _json(zf, "logins.json", _logins(user))
        readme = render_to_string(
            "accounts/data_archive_readme.txt",
            {
                "user": user,
                "made_at": timezone.now(),
                "assessments": assessments,
                "plan_items": len(plan["items"]),
                "reviews": len(reviews),
                "memberships": len(teams["memberships"]),
                "invitations": len(teams["invitations"]),
                "messages": len(notifications["messages"]),
                "tokens": len(tokens),
                "unshared_ratings": unshared_ratings,
            },
        )
        zf.writestr("README.txt", readme)
    out.seek(0)
    return out


# --- erasure ---------------------------------------------------------------------


def email_digest(email: str) -> str:
    """A keyed hash of the address (lower case): comparable with an address given later,
    unreadable without the site's secret key."""
    if not email:
        return ""
    return salted_hmac("accounts.erasure", email.strip().lower(), algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing the person would do, for the admin's confirmation page."""

    assessments: int
    answers: int
    plan_items: int
    ratings: int
    memberships: int
    tokens: int
    messages: int
    invitations: int
    teams_removed: list[Team]
    teams_kept: list[Team]  # they were its last person; it holds others' results
    handovers: list[tuple[Team, list[TeamMembership]]]  # only manager: pick a successor
    cycles: int  # closed cycles whose figures are recomputed


def erasure_plan(user) -> ErasurePlan:
    blockers = departure_blockers(user)
    kept = {b.team.pk for b in blockers if b.reason == "results"}
    handover = [b.team for b in blockers if b.reason == "members"]
    candidates: dict[int, list[TeamMembership]] = {}
    for membership in (
        TeamMembership.objects.filter(team__in=handover)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__username")
    ):
        candidates.setdefault(membership.team_id, []).append(membership)
    alone = teams_only_of(user)
    return ErasurePlan(
        assessments=Assessment.objects.filter(owner=user).count(),
        answers=Answer.objects.filter(assessment__owner=user).count(),
        plan_items=PlanItem.objects.filter(owner=user).count(),
        ratings=ManagerRating.objects.filter(assessment__owner=user).count(),
        memberships=TeamMembership.objects.filter(user=user).count(),
        tokens=AccessToken.objects.filter(owner=user).count(),
        messages=_messages_of(user).count(),
        invitations=Invitation.objects.filter(email__iexact=user.email).count()
        if user.email
        else 0,
        teams_removed=list(Team.objects.filter(pk__in=set(alone) - kept)),
        teams_kept=[b.team for b in blockers if b.reason == "results"],
        handovers=[(team, candidates.get(team.pk, [])) for team in handover],
        cycles=ReviewCycle.objects.filter(
            pk__in=cycles_of_person(user), closed_at__isnull=False
        ).count(),
    )


def person_erase(*, user, by, successors: dict[int, int] | None = None) -> ErasureRecord:
    """Erase the person's data as account deletion does, on an administrator's request,
    and record it (ErasureRecord: who, when, never the person's data).

    - A team whose only manager they are, with other people in it, is handed over first:
      `successors` maps its id to the member (user id) made its manager. Without one,
      DeletionBlocked lists those teams and nothing is erased.
    - A team they are the last person of, whose cycles hold the results of people who
      left it, is kept, with those results (their owners' data), without members.
    - Teams they were alone in otherwise go; so do the messages and invitations
      addressed to them, and the log-in records kept under their username.
    - Every cycle that held their assessments bumps its team's revision, and a closed
      one stores its figures again without them (teams.services.cycles_refigure).
    """
    successors = successors or {}
    pk, email = user.pk, user.email
    with transaction.atomic():
        list(
            Team.objects.select_for_update(of=("self",))
            .filter(memberships__user=user)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        handed = 0
        for team_id, successor_id in sorted(successors.items()):
            membership = (
                TeamMembership.objects.filter(team=team_id, user=successor_id)
                .exclude(user=user)
                .first()
            )
            if membership and not membership.is_manager:
                membership_set_kind(membership=membership, kind=TeamMembership.Kind.MANAGER)
                handed += 1
        blockers = departure_blockers(user)
        if unhanded := [b for b in blockers if b.reason == "members"]:
            raise DeletionBlocked(unhanded)
        kept = {b.team.pk for b in blockers if b.reason == "results"}
        alone = set(teams_only_of(user)) - kept
        cycle_ids = cycles_of_person(user)
        assessments = Assessment.objects.filter(owner=user).count()
        _messages_of(user).delete()
        for log in (AccessLog, AccessFailureLog, AccessAttempt):
            log.objects.filter(username=user.get_username()).delete()
        if email:
            invitations_forget(email=email)
        user.delete()
        Team.objects.filter(pk__in=alone).delete()
        recomputed = cycles_refigure(cycle_ids=cycle_ids)
        return ErasureRecord.objects.create(
            former_user_id=pk,
            email_digest=email_digest(email),
            erased_by=by,
            erased_by_username=by.get_username(),
            assessments=assessments,
            teams_removed=len(alone),
            teams_handed_over=handed,
            cycles_recomputed=recomputed,
        )
