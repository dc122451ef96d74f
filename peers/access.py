"""Who may open what in this app.

- An assessment's peer input (the request form, the figures, withdrawing): whoever may
  read the result (assessments.access.result_get: its owner, and the managers of the
  team whose cycle it was made for while both are in that team), for a cycle's result
  only. Anyone else gets 404. The owner and the managers see the same figures.
- A peer's link: whoever holds it, without an account; it shows the person's first name
  and the chosen skills, never their results nor other peers' answers.
"""

from django.shortcuts import get_object_or_404

from assessments.access import readable_results
from assessments.models import Assessment


def assessment_for_peers(user, pk: int) -> Assessment:
    """A cycle's result that the user may read (result_get's rule), or 404."""
    return get_object_or_404(
        readable_results(user).filter(cycle__isnull=False).select_related("owner", "cycle__team"),
        pk=pk,
    )
