from django.urls import path

from . import views

app_name = "leadership"

urlpatterns = [
    path("", views.home, name="home"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:unit_id>/", views.team, name="team"),
    path("members/<int:pk>/action/", views.member_action, name="member_action"),
    path("pledges/<int:pk>/action/", views.pledge_action, name="pledge_action"),
    path("selections/", views.selections, name="selections"),
    path("selections/<int:pk>/", views.selection, name="selection"),
    path("selections/<int:pk>/action/", views.selection_action, name="selection_action"),
    path("commendations/", views.commendations, name="commendations"),
    path("duties/", views.duties, name="duties"),
    path("duties/<int:pk>/", views.duty_list, name="duty_list"),
    path("duties/<int:pk>/action/", views.duty_list_action, name="duty_list_action"),
    path("push-downs/", views.push_downs, name="push_downs"),
]
