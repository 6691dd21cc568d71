from django.urls import path

from . import views

app_name = "duty"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("checkin/", views.checkin, name="checkin"),
    path("desks/new/", views.desk_new, name="desk_new"),
    path("desks/<int:pk>/", views.desk_detail, name="desk"),
    path("desks/<int:pk>/qr/", views.desk_qr, name="desk_qr"),
    path("desks/<int:pk>/visitors/new/", views.visitor_new, name="visitor_new"),
    path("shifts/", views.shifts, name="shifts"),
    path("shifts/<int:pk>/delete/", views.shift_delete, name="shift_delete"),
    path("visitors/", views.visitors, name="visitors"),
    path("attendance/", views.attendance, name="attendance"),
    path("rules/", views.rules, name="rules"),
]
