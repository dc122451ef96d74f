from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("catalogue/import/", views.CatalogueImportView.as_view(), name="catalogue_import"),
    path("results/", views.ResultListView.as_view(), name="results"),
    path("results/<int:pk>/", views.ResultView.as_view(), name="result"),
    path("teams/", views.TeamListView.as_view(), name="teams"),
    path("teams/<int:pk>/", views.TeamView.as_view(), name="team"),
    path("teams/<int:pk>/cycles/", views.CycleListView.as_view(), name="cycles"),
    path(
        "teams/<int:pk>/cycles/<int:cycle_pk>/matrix/",
        views.MatrixView.as_view(),
        name="matrix",
    ),
    path("admin/users/", views.AccountListView.as_view(), name="users"),
    path(
        "admin/users/<int:pk>/deactivate/",
        views.AccountDeactivateView.as_view(),
        name="user_deactivate",
    ),
    path(
        "admin/teams/<int:pk>/memberships/",
        views.MembershipListView.as_view(),
        name="memberships",
    ),
    path(
        "admin/teams/<int:pk>/memberships/<int:membership_pk>/",
        views.MembershipView.as_view(),
        name="membership",
    ),
]
