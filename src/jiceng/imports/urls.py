from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("templates/<str:kind>.xlsx", views.template, name="template"),
    path("<uuid:pk>/", views.job_detail, name="job"),
    path("<uuid:pk>/progress/", views.job_progress, name="progress"),
    path("<uuid:pk>/apply/", views.job_apply, name="apply"),
    path("<uuid:pk>/cancel/", views.job_cancel, name="cancel"),
    path("<uuid:pk>/errors.xlsx", views.job_errors_xlsx, name="errors"),
    path("<uuid:pk>/errors.csv", views.job_errors_csv, name="errors_csv"),
]
