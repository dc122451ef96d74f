from django.urls import path

from . import views

app_name = "teams"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("<int:pk>/", views.team_detail, name="detail"),
    path("<int:pk>/rename/", views.team_rename, name="rename"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/retry/",
        views.invitation_retry,
        name="invitation_retry",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<int:pk>/members/<int:membership_pk>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/members/<int:membership_pk>/kind/", views.member_kind, name="member_kind"),
    path("<int:pk>/members/<int:membership_pk>/target/", views.member_target, name="member_target"),
    path("<int:pk>/cycles/new/", views.cycle_new, name="cycle_new"),
    path("<int:pk>/cycles/<int:cycle_pk>/", views.cycle_dashboard, name="cycle"),
    path("<int:pk>/cycles/<int:cycle_pk>/report.pdf", views.cycle_pdf, name="cycle_pdf"),
    path("<int:pk>/cycles/<int:cycle_pk>/exports/", views.cycle_exports, name="cycle_exports"),
    path(
        "<int:pk>/cycles/<int:cycle_pk>/exports/<str:fmt>/",
        views.cycle_export_request,
        name="cycle_export_request",
    ),
    path("<int:pk>/cycles/<int:cycle_pk>/close/", views.cycle_close, name="cycle_close"),
    path("<int:pk>/cycles/<int:cycle_pk>/start/", views.cycle_start, name="cycle_start"),
    path(
        "<int:pk>/cycles/<int:cycle_pk>/matrix.<str:fmt>", views.cycle_matrix, name="cycle_matrix"
    ),
    path("<int:pk>/reviews/<int:assessment_pk>/", views.review, name="review"),
    path(
        "<int:pk>/reviews/<int:assessment_pk>/ratings/<int:skill_id>/",
        views.review_rating,
        name="review_rating",
    ),
    path("<int:pk>/reviews/<int:assessment_pk>/share/", views.review_share, name="review_share"),
    path("shared-reviews/<int:pk>/", views.shared_review, name="shared_review"),
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else is not one.
    path("invitations/<slug:token>/", views.invitation_accept, name="invitation"),
]
