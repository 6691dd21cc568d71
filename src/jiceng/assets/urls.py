from django.urls import path

from . import views

app_name = "assets"

urlpatterns = [
    path("", views.home, name="home"),
    path("figures/<str:code>/", views.figure, name="figure"),
    path("register/", views.register, name="register"),
    path("register/<int:pk>/", views.asset, name="asset"),
    path("revitalisations/<int:pk>/finish/", views.revitalisation_finish, name="revitalisation_finish"),
    path("confirmations/", views.confirmations, name="confirmations"),
    path("confirmations/<int:pk>/", views.confirmation, name="confirmation"),
    path("confirmations/<int:pk>/step/", views.confirmation_step, name="confirmation_step"),
    path("listings/", views.listings, name="listings"),
    path("listings/<int:pk>/", views.listing, name="listing"),
    path("listings/<int:pk>/award/", views.listing_award, name="listing_award"),
    path("contracts/<int:pk>/", views.contract, name="contract"),
    path("enterprises/", views.enterprises, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise, name="enterprise"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("income/", views.income, name="income"),
    path("funds/", views.funds, name="funds"),
    path("funds/<int:pk>/", views.fund, name="fund"),
    path("export/<str:what>.xlsx", views.export, name="export"),
]
