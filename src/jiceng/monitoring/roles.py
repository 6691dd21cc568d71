"""The roles and purposes monitoring defines (registered in module.py)."""
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import Role

COUNTY_APPROVER = "county_approver"
COUNTY_APPROVER_LABEL = _("县级审定人（防返贫）")

# Economic records are seen only by those who handle them.
MONITORING_VIEW_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER, COUNTY_APPROVER})
MONITORING_RECORD_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER})
MONITORING_MANAGE_ROLES = frozenset({Role.STREET_ADMIN, COUNTY_APPROVER})
