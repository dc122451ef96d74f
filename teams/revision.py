"""The team's revision: one number that every write to a team's data bumps.

The team board and matrix files are kept rendered under a key that holds it, so they
can only be served while nothing they show has changed, whatever they show: no list of
fields, tables or rows to keep in step with the page.

Who bumps it, always inside the transaction that writes the data:
- every write in teams/services.py (memberships, invitations, cycles, ratings, sharing);
- the assessments app's writes to an assessment made for a cycle (start, submission,
  deletion), through its `assessment_changed` signal, so it needs nothing from here;
- changes to a person (their name, deletion), through the user model's signals, since
  Django's auth and admin write users, not our services;
- the plans app's services, for what the team pages show of the members' plans (their
  counts, agreements and sharing).

A reader reads the revision before the data: a write in between leaves its rendering
under the old number, which nobody asks for again.

Answers to drafts do not bump it: the board shows a draft as "in progress", not how far
it got, and an autosave must not queue behind every other member's on the team row.
"""

from django.db.models import F

from .models import Team


def team_touch(*, team_id: int) -> None:
    Team.objects.filter(pk=team_id).update(revision=F("revision") + 1)


def teams_of_cycle_touch(*, cycle_id: int) -> None:
    Team.objects.filter(cycles=cycle_id).update(revision=F("revision") + 1)


def teams_of_user_touch(*, user_id: int) -> None:
    Team.objects.filter(memberships__user=user_id).update(revision=F("revision") + 1)


# Receivers, connected in apps.py ----------------------------------------------------


def on_assessment_changed(sender, *, assessment, **kwargs) -> None:
    if assessment.cycle_id:
        teams_of_cycle_touch(cycle_id=assessment.cycle_id)


def on_user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # each log-in saves the user; nothing a team page shows
    teams_of_user_touch(user_id=instance.pk)


def on_user_deleting(sender, instance, **kwargs) -> None:
    # Before the cascade removes the memberships that name the teams.
    teams_of_user_touch(user_id=instance.pk)
