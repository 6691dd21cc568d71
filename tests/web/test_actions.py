"""run_action: one action posted from a page, a message, and back to the page."""
from __future__ import annotations

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.web.actions import run_action


def posted():
    request = RequestFactory().post("/somewhere/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def shown(request):
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_done_action_says_what_the_handler_returns_and_goes_back():
    request = posted()
    response = run_action(request, lambda: "已核实排除", then="/monitoring/households/7/")
    assert response.status_code == 302 and response["Location"] == "/monitoring/households/7/"
    assert shown(request) == [("success", "已核实排除")]


def test_done_is_the_message_whatever_the_handler_returns():
    request = posted()
    response = run_action(request, lambda: object(), then=("reports:detail", 12), done="已办理")
    assert response["Location"] == "/reports/12/"
    assert shown(request) == [("success", "已办理")]


def test_a_handler_returning_none_shows_no_message():
    request = posted()
    run_action(request, lambda: None, then="/x/")
    assert shown(request) == []


def test_a_refused_action_shows_the_service_message_and_goes_back_all_the_same():
    def refuse():
        raise JicengError("已办结的诉求不能再改派", field="unit")

    request = posted()
    response = run_action(request, refuse, then="/reports/3/", done="已办理")
    assert response["Location"] == "/reports/3/"
    assert shown(request) == [("error", "已办结的诉求不能再改派")]


def test_a_permission_error_is_a_refusal_too():
    def refuse():
        raise PermissionDeniedError()

    request = posted()
    run_action(request, refuse, then="/x/")
    assert shown(request) == [("error", "您没有执行此操作的权限")]


def test_an_unknown_action_is_refused_as_not_found():
    request = posted()
    response = run_action(request, None, then="/x/", done="已办理")
    assert response["Location"] == "/x/"
    assert shown(request) == [("error", "记录不存在或您无权访问")]
