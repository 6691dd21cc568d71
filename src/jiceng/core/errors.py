"""One domain error class, raised by services and mapped once to form errors, API JSON and Open311."""
from __future__ import annotations

from typing import Iterable


class JicengError(Exception):
    """A refused action: a code, a message a person can read, and the field it concerns (if any).

    Several field errors can travel together in ``errors`` (field -> list of messages), so a form
    shows every problem at once.
    """

    status = 400

    def __init__(self, message: str = "", *, field: str | None = None, code: str = "invalid",
                 errors: dict[str, list[str]] | None = None):
        self.code = code
        self.field = field
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
        if message and field and field not in self.errors:
            self.errors[field] = [str(message)]
        if not message and self.errors:
            first_field, msgs = next(iter(self.errors.items()))
            message = msgs[0]
            self.field = self.field or first_field
        self.message = str(message)
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"detail": self.message, "code": self.code, "field": self.field,
                "errors": {k: [str(m) for m in v] for k, v in self.errors.items()}}


class NotFoundError(JicengError):
    """The object does not exist or is not the user's to see: the same answer for both."""

    status = 404

    def __init__(self, message: str = "", **kw):
        from django.utils.translation import gettext as _
        super().__init__(message or _("记录不存在或您无权访问"), code="not_found", **kw)


class TooManyAttemptsError(JicengError):
    """Refused for now, not for good: too many attempts; ``retry_after`` says in how many seconds to try again
    (the API sends it as ``Retry-After``)."""

    status = 429

    def __init__(self, message: str = "", *, retry_after: int, code: str = "too_many_attempts", **kw):
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, code=code, **kw)


class PermissionDeniedError(JicengError):
    status = 403

    def __init__(self, message: str = "", **kw):
        from django.utils.translation import gettext as _
        super().__init__(message or _("您没有执行此操作的权限"), code="permission_denied", **kw)


class ErrorCollector:
    """Collects field errors during validation and raises them together."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def extend(self, items: Iterable[tuple[str, str]]) -> None:
        for field, message in items:
            self.add(field, message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def integers(self, values: dict, names, *, low: int = 0, high: int) -> dict:
        """The whole numbers among ``values`` for ``names`` (those given), each between ``low`` and ``high``; a
        field error for each that is not (a settings form's numbers)."""
        from django.utils.translation import gettext as _

        clean = {}
        for name in names:
            if name not in values:
                continue
            try:
                v = int(values[name])
            except (TypeError, ValueError):
                self.add(name, _("请填写整数"))
                continue
            if v < low or v > high:
                self.add(name, _("应在 %(low)d 到 %(high)d 之间") % {"low": low, "high": high})
            clean[name] = v
        return clean

    def raise_if_any(self, code: str = "invalid") -> None:
        if self.errors:
            raise JicengError(code=code, errors=self.errors)
