from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/export/", views.household_export, name="household_export"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/move/", views.household_move, name="household_move"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/export/", views.resident_export, name="resident_export"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("party-members/", views.party_member_list, name="party_member_list"),
    path("party-members/export/", views.party_member_export, name="party_member_export"),
    path("party-members/new/", views.party_member_create, name="party_member_create"),
    path("party-members/<int:pk>/", views.party_member_detail, name="party_member_detail"),
    path("party-members/<int:pk>/edit/", views.party_member_edit, name="party_member_edit"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
]
