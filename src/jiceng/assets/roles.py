"""Who works with the collective economy (the purposes registered in module.py)."""
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import Role
from jiceng.cadre.roles import TOWNSHIP_LEADER, VILLAGE_CADRE

# The district's approver of rights confirmation (区农业农村部门三资审批), held over the whole site.
ASSETS_APPROVER = "assets_approver"
ASSETS_APPROVER_LABEL = _("区级三资审批人")

# Who sees the register, the chains, transactions, enterprises, projects, income and funds in their subtree.
ASSETS_VIEW_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.AUDITOR, TOWNSHIP_LEADER, VILLAGE_CADRE,
                               ASSETS_APPROVER})
# The village's or community's bookkeepers: the register, applications, bids, payments, income, spending.
ASSETS_KEEP_ROLES = frozenset({Role.COMMUNITY_STAFF, VILLAGE_CADRE, Role.STREET_ADMIN, TOWNSHIP_LEADER})
# The rights-confirmation chain's first step: a village applies (村级申报).
ASSETS_APPLY_ROLES = frozenset({Role.COMMUNITY_STAFF, VILLAGE_CADRE})
# The township: reviews applications, awards transactions, sets rules and thresholds, allocates funds.
ASSETS_REVIEW_ROLES = frozenset({Role.STREET_ADMIN, TOWNSHIP_LEADER})
# The district: approves confirmations.
ASSETS_APPROVE_ROLES = frozenset({ASSETS_APPROVER})
