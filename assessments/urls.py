from django.urls import path

from . import planning_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_new, name="new"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/step/<int:number>/", views.assessment_step, name="step"),
    path("<int:pk>/answers/<int:skill_id>/", views.answer_save, name="answer"),
    path("<int:pk>/review/", views.assessment_review, name="review"),
    path("<int:pk>/retake/", views.assessment_retake_view, name="retake"),
    path("<int:pk>/continue/", views.assessment_continue, name="continue"),
    path("<int:pk>/delete/", views.assessment_delete, name="delete"),
    path("<int:pk>/compare/", views.result_compare, name="compare"),
    path("<int:pk>/simulate/", planning_views.result_simulate, name="simulate"),
    path("<int:pk>/path/<slug:code>/", planning_views.result_path, name="path"),
    path("<int:pk>/result.json", views.result_json, name="result_json"),
    path("<int:pk>/gaps.csv", views.result_csv, name="result_csv"),
    path("<int:pk>/result.xlsx", views.result_xlsx, name="result_xlsx"),
    path("<int:pk>/result.pdf", views.result_pdf, name="result_pdf"),
]
