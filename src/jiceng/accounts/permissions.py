"""Deny-by-default predicates. Services call these first; views never re-implement them."""
from __future__ import annotations

from .models import Role
from .scope import path_in_scope, roles_of, scope_for


def can_manage_everything(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def can_view_path(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="view")


def can_change_path(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="change")


def can_change_org_unit(user, unit) -> bool:
    return path_in_scope(user, unit.path, purpose="org_change")


def can_see_personal_data(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="personal_data")


def can_export_path(user, path: str) -> bool:
    return path_in_scope(user, path, purpose="export")


def can_export_people(user) -> bool:
    scope = scope_for(user, purpose="export")
    return scope.everything or bool(scope.paths)


def can_view_audit(user) -> bool:
    scope = scope_for(user, purpose="audit")
    return scope.everything or bool(scope.paths)


def can_change_people(user) -> bool:
    scope = scope_for(user, purpose="change")
    return scope.everything or bool(scope.paths)


def can_view_registry(user) -> bool:
    scope = scope_for(user, purpose="view")
    return scope.everything or bool(scope.paths)


def is_staff_user(user) -> bool:
    return bool(roles_of(user) - {Role.RESIDENT})


def is_resident_only(user) -> bool:
    return roles_of(user) == {Role.RESIDENT}


def can_use_registry(user) -> bool:
    """Staff who read the people registry: the organisation and registry menus are theirs."""
    return is_staff_user(user) and can_view_registry(user)


# Doors of the registry's modules (``UrlMount.allowed`` / ``ApiMount.allowed``: a predicate on the request).
def enters_registry(request) -> bool:
    """The organisation tree and the registry's pages: staff who read the registry."""
    return can_use_registry(request.user)


def enters_registry_api(request) -> bool:
    """The registry's API: staff who read it; residents read their own household and its members only."""
    if can_view_registry(request.user):
        return True
    return is_resident_only(request.user) and request.path.startswith(("/api/households", "/api/residents"))


def resident_own_pages(request) -> str | None:
    """A resident opening the registry's lists or the tree is led to their own household (the home page shows
    it with its members); anyone else refused gets the 403."""
    from django.urls import reverse

    return reverse("home") + "#my-household" if is_resident_only(request.user) else None


def enters_audit(request) -> bool:
    return can_view_audit(request.user)


def resident_page(request, names) -> bool:
    """A resident-only user on one of the pages a module opens to residents."""
    match = getattr(request, "resolver_match", None)
    return is_resident_only(request.user) and match is not None and match.url_name in names
