from django.urls import path

from . import views

app_name = "cadre"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/issue/", views.list_issue, name="list_issue"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    path("points/", views.points, name="points"),
    path("points/<int:cadre_id>/", views.points_cadre, name="points_cadre"),
    path("entries/<int:entry_id>/appeal/", views.appeal_new, name="appeal_new"),
    path("adjustments/", views.adjustments, name="adjustments"),
    path("adjustments/<int:pk>/<str:action>/", views.adjustment_action, name="adjustment_action"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/<str:action>/", views.appeal_action, name="appeal_action"),
    path("rules/", views.rules, name="rules"),
]
