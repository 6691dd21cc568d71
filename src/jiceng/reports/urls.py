from django.urls import path

from . import views, views_setup

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("mine/", views.my_reports, name="mine"),
    path("figures/", views.figures_page, name="figures"),
    path("disputes/", views.disputes, name="disputes"),
    path("errands/", views.errands, name="errands"),
    path("setup/", views_setup.setup_home, name="setup"),
    path("setup/categories/new/", views_setup.category_edit, name="category_new"),
    path("setup/categories/<int:pk>/", views_setup.category_edit, name="category_edit"),
    path("setup/rules/new/", views_setup.rule_edit, name="rule_new"),
    path("setup/rules/<int:pk>/", views_setup.rule_edit, name="rule_edit"),
    path("setup/rules/<int:pk>/delete/", views_setup.rule_delete, name="rule_delete"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", views.report_photo, name="photo"),
    path("<int:pk>/<str:action>/", views.report_act, name="act"),
]
