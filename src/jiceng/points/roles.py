"""The roles and purposes points defines (registered in module.py)."""
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import Role
from jiceng.accounts.scope import PEOPLE_READ_ROLES

SHOP_CLERK = "shop_clerk"
SHOP_CLERK_LABEL = _("积分超市店员")

# Who keeps the points list, records points, reviews them, and serves at a shop.
POINTS_MANAGE_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF})
POINTS_RECORD_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER})
POINTS_REVIEW_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF})
POINTS_SHOP_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, SHOP_CLERK})
# A shop clerk serves households at the counter only (by card or a search within the shop's scope); they do
# not browse households' points pages or declarations.
POINTS_VIEW_ROLES = frozenset(PEOPLE_READ_ROLES)
