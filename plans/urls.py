from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("items/", views.item_add, name="add"),
    path("items/<int:pk>/", views.item_update, name="update"),
    path("items/<int:pk>/delete/", views.item_delete, name="delete"),
    path("items/<int:pk>/comments/", views.comment_add, name="comment"),
    path("items/<int:pk>/agree/", views.agree, name="agree"),
    path("share/", views.share, name="share"),
    path("shared/<int:team_pk>/<int:user_pk>/", views.shared_plan, name="shared"),
]
