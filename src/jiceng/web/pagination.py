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


class FetchingPaginator(CappedPaginator):
    """A capped paginator that counts through the queryset but reads each page's rows with
    ``fetch(offset=..., limit=...)`` — a selector's lean statement for the same rows."""

    def __init__(self, object_list, per_page, *, fetch, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.fetch = fetch

    def _get_page(self, object_list, number, paginator):
        # Django slices ``object_list[bottom:top]`` lazily; read that slice through ``fetch`` instead.
        start = object_list.query.low_mark
        stop = object_list.query.high_mark
        return super()._get_page(self.fetch(offset=start, limit=stop - start), number, paginator)
