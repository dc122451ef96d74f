from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from accounts.forms import AdminLoginForm


@require_GET
def healthz(request):
    """For load balancers and the benchmark's baseline: answers without any work."""
    return HttpResponse("ok", content_type="text/plain")


admin.site.login_form = AdminLoginForm  # the username's length checked, as on our log-in page

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("assessments/", include("assessments.urls")),
    path("roles/", include("careers.urls")),
    path("teams/", include("teams.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
