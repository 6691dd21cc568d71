"""Pagination that never counts a whole street: counts stop at a cap and show "1000+"."""
from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Like Django's, but ``count`` is exact only up to ``COUNT_CAP``; beyond it the list pages on
    to the cap and says "1000+" (a count over ``LIMIT 1001`` costs a page, not a table scan)."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        return f"{self.cap}+" if self.capped else str(self.count)
