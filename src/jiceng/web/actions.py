"""Buttons on a record's page that post one action and come back (confirm, dismiss, accept, issue a
card…): the shape every app's action views share."""
from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect

from jiceng.core.errors import JicengError, NotFoundError

Handler = Callable[[], "str | None"]


def run_action(request, handler: Handler | None, *, then: str | tuple, done: str | None = None) -> HttpResponseRedirect:
    """Run one action posted from a page and send the browser back to ``then``.

    ``handler()`` calls the one service the action is. The message that says it was done is ``done``
    (a view whose actions all say the same) or else what the handler returns (None: no message). A
    refused action (``JicengError``: a not-found or permission error included) is shown as an error
    message instead (every field's reason when it gives several). ``None`` for the handler (an action name the view does not know) is refused as
    not found. ``then`` is a URL, or a URL name followed by its arguments."""
    try:
        if handler is None:
            raise NotFoundError()
        result = handler()
    except JicengError as exc:
        shown = [str(m) for msgs in exc.errors.values() for m in msgs] or [exc.message]
        for text in dict.fromkeys(shown):  # every reason the action was refused, each once
            messages.error(request, text)
    else:
        message = done if done is not None else result
        if message:
            messages.success(request, message)
    return redirect(*then) if isinstance(then, tuple) else redirect(then)


def form_post(request, form, call, *, then, done: str):
    """Validate a posted form and call one service with its cleaned data: done, back to ``then`` (a URL, a URL
    name, or a URL name followed by its arguments) with ``done`` said; refused, ``None``, and the form carries
    each reason next to its field (the page renders it again)."""
    from jiceng.web.forms import apply_error

    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except JicengError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, done)
            if callable(then):
                return redirect(then(result))
            return redirect(*then) if isinstance(then, tuple) else redirect(then)
    return None
