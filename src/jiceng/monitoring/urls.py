from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("households/", views.household_list, name="households"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/profile/<int:year>/", views.profile_edit, name="profile_edit"),
    path("households/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("households/<int:pk>/declare/", views.declare_for, name="declare_for"),
    path("declare/", views.declare_mine, name="declare_mine"),
    path("signals/", views.signal_list, name="signals"),
    path("signals/<int:pk>/<str:action>/", views.signal_act, name="signal_act"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/<str:action>/", views.case_act, name="case_act"),
    path("figures/", views.figures_page, name="figures"),
    path("department-lists/", views.department_list_upload, name="department_lists"),
    path("department-lists/template.xlsx", views.department_list_template, name="department_list_template"),
    path("department-lists/<int:pk>/", views.department_list_detail, name="department_list"),
    path("department-lists/<int:pk>/errors.xlsx", views.department_list_errors, name="department_list_errors"),
    path("settings/", views.settings_page, name="settings"),
]
