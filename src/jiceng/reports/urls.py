from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("mine/", views.my_reports, name="mine"),
    path("figures/", views.figures_page, name="figures"),
    path("disputes/", views.disputes, name="disputes"),
    path("errands/", views.errands, name="errands"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", views.report_photo, name="photo"),
    path("<int:pk>/<str:action>/", views.report_act, name="act"),
]
