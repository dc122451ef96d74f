"""What this app tells the apps built on it, without knowing them.

`assessment_changed` is sent by services.py inside the transaction of each write that
changes an assessment's standing (started, submitted, deleted), with `assessment=`.
The teams app listens to keep its boards fresh (teams/revision.py). Answers saved to a
draft do not send it.
"""

from django.dispatch import Signal

assessment_changed = Signal()
