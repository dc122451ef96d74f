from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.forms import AdminLoginForm
from api import account as api_account
from careers.views import home
from config.views import healthz, healthz_database, readyz

admin.site.login_form = AdminLoginForm  # the username's length checked, as on our log-in page

# An unreachable database answers 503 with a short page instead of the 500 page.
handler500 = "config.views.server_error"
handler400 = "config.views.bad_request"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("healthz/database", healthz_database, name="healthz_database"),
    path("readyz", readyz, name="readyz"),
    path("accounts/tokens/", api_account.token_list, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", api_account.token_revoke, name="api_token_revoke"),
    path("accounts/", include("accounts.urls")),
    path("assessments/", include("assessments.urls")),
    path("roles/", include("careers.urls")),
    path("teams/", include("teams.urls")),
    path("plan/", include("plans.urls")),
    path("organisation/", include("organisation.urls")),
    path("peers/", include("peers.urls")),
    # Where a member's shared review was before it moved to the teams app.
    path(
        "assessments/<int:pk>/manager-review/",
        RedirectView.as_view(pattern_name="teams:shared_review", permanent=True),
    ),
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
