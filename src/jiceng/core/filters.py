"""A list's filters declared once: which argument narrows the list how, applied in one place."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Q, QuerySet

# A lookup whose right-hand side is the value ("org_path__startswith"); a Q applied as it is when the
# value is true (a yes/no filter); or a function of the value returning what ``filter()`` takes.
Filter = str | Q | Callable[[Any], Any]


def filter_by(qs: QuerySet, spec: Mapping[str, Filter], /, **values) -> QuerySet:
    """``qs`` narrowed by each filter of ``spec`` whose value is given and true (an empty string,
    None, False or 0 leaves the list as it is), one ``filter()`` each, in the order of ``spec``.

        FILTERS = {"status": "status", "org_path": "org_path__startswith", "overdue": Q(overdue_at__isnull=False)}
        qs = filter_by(qs, FILTERS, status=status, org_path=org_path, overdue=overdue)

    A value that ``spec`` does not name is a mistake in the caller and raises TypeError."""
    unknown = values.keys() - spec.keys()
    if unknown:
        raise TypeError(f"no filter named {', '.join(sorted(unknown))}")
    for name, how in spec.items():
        value = values.get(name)
        if not value:
            continue
        if isinstance(how, str):
            qs = qs.filter(**{how: value})
        elif isinstance(how, Q):
            qs = qs.filter(how)
        else:
            qs = qs.filter(how(value))
    return qs
