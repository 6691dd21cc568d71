from django.urls import path

from . import views, views_ranking

app_name = "cadre"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/issue/", views.list_issue, name="list_issue"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/escalate/", views.task_escalate, name="escalate"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/reports/<int:report_id>/<str:what>/", views.report_evidence, name="report_evidence"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    path("points/", views.points, name="points"),
    path("points/<int:cadre_id>/", views.points_cadre, name="points_cadre"),
    path("entries/<int:entry_id>/appeal/", views.appeal_new, name="appeal_new"),
    path("adjustments/", views.adjustments, name="adjustments"),
    path("adjustments/<int:pk>/<str:action>/", views.adjustment_action, name="adjustment_action"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/<str:action>/", views.appeal_action, name="appeal_action"),
    path("rules/", views.rules, name="rules"),
    path("ranking/", views_ranking.ranking, name="ranking"),
    path("ranking/schemes/new/", views_ranking.scheme_edit, name="scheme_new"),
    path("ranking/schemes/<int:pk>/", views_ranking.scheme_edit, name="scheme_edit"),
    path("ranking/schemes/<int:pk>/run/", views_ranking.scheme_run, name="scheme_run"),
    path("ranking/runs/<int:pk>/", views_ranking.run_detail, name="run"),
    path("plans/", views_ranking.plans, name="plans"),
    path("plans/new/<int:result_id>/", views_ranking.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views_ranking.plan_detail, name="plan"),
    path("plans/<int:pk>/<str:action>/", views_ranking.plan_action, name="plan_action"),
    path("showcases/", views_ranking.showcases, name="showcases"),
    path("showcases/<int:pk>/", views_ranking.showcase_detail, name="showcase"),
    path("showcases/<int:pk>/<str:action>/", views_ranking.showcase_action, name="showcase_action"),
]
