from django.urls import include, path
from django.views.i18n import set_language

from jiceng.accounts import views as account_views
from jiceng.core.api import api
from jiceng.core.scope import scope_safe
from jiceng.points import views as points_views
from jiceng.reports import views as reports_views
from jiceng.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("healthz", web_views.health, name="health"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("large-print/", web_views.toggle_large_print, name="toggle_large_print"),
    path("i18n/setlang/", scope_safe(set_language), name="set_language"),
    path("orgs/", include("jiceng.orgs.urls")),
    path("people/", include("jiceng.people.urls")),
    path("audit/", include("jiceng.audit.urls")),
    path("imports/", include("jiceng.imports.urls")),
    path("points/", include("jiceng.points.urls")),
    path("public/points/<str:code>/", points_views.public_notice, name="public_points"),
    path("reports/", include("jiceng.reports.urls")),
    path("monitoring/", include("jiceng.monitoring.urls")),
    path("public/reports/<str:code>/", reports_views.public_board, name="public_reports"),
    path("api/", api.urls),
    path("open311/v2/", include("jiceng.reports.urls_open311")),
]
