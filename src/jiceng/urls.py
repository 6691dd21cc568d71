"""Web URLs: the platform's own pages, then every installed module's (composition root)."""
from django.urls import path
from django.views.i18n import set_language

from jiceng.composition import build_api, module_urlpatterns
from jiceng.core.scope import scope_safe
from jiceng.web import views as web_views

api = build_api()

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.health, name="health"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("large-print/", web_views.toggle_large_print, name="toggle_large_print"),
    path("i18n/setlang/", scope_safe(set_language), name="set_language"),
    path("public/<str:code>/", web_views.notice_board, name="notice_board"),
    *module_urlpatterns(),
    path("api/", api.urls),
]
