from django.urls import path

from . import views

app_name = "peers"

urlpatterns = [
    path("assessment/<int:pk>/", views.assessment_peers, name="assessment"),
    path("assessment/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:token>/", views.answer, name="answer"),
]
