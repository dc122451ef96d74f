from django.urls import path

from . import views

app_name = "organisation"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("units/<int:pk>/inventory/", views.inventory, name="inventory"),
    path("findable/", views.findable, name="findable"),
]
