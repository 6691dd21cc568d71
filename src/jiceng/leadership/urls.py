from django.urls import path

from . import views, views_certificates, views_records

app_name = "leadership"

urlpatterns = [
    path("", views.home, name="home"),
    path("figures/<str:code>/", views.figure, name="figure"),
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
    path("certificates/", views_certificates.certificates, name="certificates"),
    path("certificates/<int:pk>/answer/", views_certificates.certificate_answer, name="certificate_answer"),
    path("cadres/", views_records.cadres, name="cadres"),
    path("cadres/<str:kind>/<int:pk>/", views_records.cadre_action, name="cadre_action"),
    path("trainings/", views_records.trainings, name="trainings"),
    path("trainings/<int:pk>/", views_records.training, name="training"),
    path("contacts/", views_records.contacts, name="contacts"),
    path("contacts/<int:pk>/visit/", views_records.contact_visit, name="contact_visit"),
    path("loans-plaques/", views_records.loans_plaques, name="loans_plaques"),
    path("loans/<int:pk>/return/", views_records.loan_return, name="loan_return"),
    path("plaques/<int:unit_id>/check/", views_records.plaque_check, name="plaque_check"),
    path("inspections/", views_records.inspections, name="inspections"),
    path("inspections/action/", views_records.inspection_action, name="inspection_action"),
    path("export/<str:what>.xlsx", views_records.export, name="export"),
    path("rules/", views_records.rules, name="rules"),
]
