"""Login with throttling, and logout."""
from __future__ import annotations

from django import forms
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError
from jiceng.core.scope import scope_safe

from .services import login_attempt


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


@scope_safe
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = login_attempt(request=request, username=form.cleaned_data["username"],
                                 password=form.cleaned_data["password"])
        except JicengError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user)
            nxt = request.GET.get("next", "")
            if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                return redirect(nxt)
            return redirect("home")
    return render(request, "accounts/login.html", {"form": form})


@scope_safe
@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")
