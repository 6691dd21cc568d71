from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("<int:parent_pk>/new/", views.unit_create, name="unit_create"),
    path("<int:pk>/move/", views.unit_move, name="unit_move"),
    path("<int:pk>/split/", views.unit_split, name="unit_split"),
    path("<int:pk>/merge/", views.unit_merge, name="unit_merge"),
]
