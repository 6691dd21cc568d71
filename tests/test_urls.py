"""Every view reachable by scoped staff is marked scope-safe; anything unmarked fails this test."""
from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_web_view_is_marked_scope_safe():
    unmarked = []
    for route, view in walk(get_resolver().url_patterns):
        if route.startswith("api/"):
            continue  # API operations are checked below
        target = getattr(view, "view_class", view)
        if not getattr(view, "scope_safe", False) and not getattr(target, "scope_safe", False):
            unmarked.append(route)
    assert unmarked == []


# Operations open to anyone: getting a token, and objecting to a published points item (公示异议).
PUBLIC_API = {"/api/auth/token", "/api/points/declarations/{declaration_id}/objections"}


def test_every_api_operation_requires_auth_except_token(client, db):
    spec = client.get("/api/openapi.json").json()
    open_ops = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if not op.get("security") and path not in PUBLIC_API:
                open_ops.append(f"{method} {path}")
            if method == "get":
                url = path.replace("{unit_id}", "1").replace("{household_id}", "1").replace(
                    "{resident_id}", "1").replace("{member_id}", "1").replace("{shop_id}", "1").replace(
                    "{number}", "JF1")
                assert client.get(url).status_code == 401, url
    assert open_ops == []
