from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("<int:parent_pk>/new/", views.unit_create, name="unit_create"),
]
