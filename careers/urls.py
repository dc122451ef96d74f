from django.urls import path

from . import views

app_name = "careers"

urlpatterns = [
    path("", views.role_list, name="role_list"),
    path("matrix/", views.role_matrix, name="role_matrix"),
    path("<slug:code>/", views.role_detail, name="role_detail"),
]
