"""Turns domain errors that escape a web view into a readable page (API errors are handled by the API)."""
from __future__ import annotations

from django.shortcuts import render

from .errors import JicengError
from .scope import scope_required


class ErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, JicengError) and not request.path.startswith("/api/"):
            return render(request, "web/error.html", {"error": exception}, status=exception.status)
        return None


class ScopeMiddleware:
    """While a request is served, a scoped model's rows can only be read through a scope (core/scope.py):
    a forgotten ``accessible_to`` fails loudly instead of showing the whole table."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scope_required():
            return self.get_response(request)
