"""What this app tells the apps built on it, without knowing them.

`review_changed` is sent by services.py inside the transaction of each write to what a
member's review says of them (the manager's ratings, the sharing of the review), with
`assessment=`, and `sharing=True` when the review was shared or unshared. The
organisation app listens to keep its skills inventory current.
"""

from django.dispatch import Signal

review_changed = Signal()
