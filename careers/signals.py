"""The one rule the catalogue enforces outside forms: roles in use are never deleted.

Answers protect their skills through their foreign key (on_delete=PROTECT); a role is
linked to assessments through a many-to-many table, which Django would silently empty,
so its deletion is refused here whichever way it is attempted.
"""

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .models import Role


@receiver(pre_delete, sender=Role)
def refuse_deleting_a_role_in_use(sender, instance: Role, **kwargs) -> None:
    used = instance.assessments.all()
    if used.exists():
        raise ProtectedError(
            f"Role {instance.code} is used by {used.count()} assessment(s); unpublish it instead.",
            set(used),
        )
