from django.contrib import admin

from .models import PeerInvitation, PeerRequest


class PeerInvitationInline(admin.TabularInline):
    model = PeerInvitation
    fields = ("email", "created_at", "expires_at", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(PeerRequest)
class PeerRequestAdmin(admin.ModelAdmin):
    """Who was asked and how many answered; never a peer's levels (PeerRating is not
    registered: its rows say nothing of who gave them, and nobody needs to read them)."""

    list_display = ("assessment", "requested_by", "created_at", "withdrawn_at")
    list_select_related = ("assessment__owner", "requested_by")
    readonly_fields = ("assessment", "requested_by", "skills", "created_at")
    inlines = [PeerInvitationInline]
