from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("items/", views.item_add, name="add"),
    path("items/<int:pk>/", views.item_update, name="update"),
    path("items/<int:pk>/delete/", views.item_delete, name="delete"),
]
