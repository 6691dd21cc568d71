"""Who works with team records, selections and the duty lists (the purposes registered in module.py)."""
from jiceng.accounts.models import Role
from jiceng.cadre.roles import TOWNSHIP_LEADER, VILLAGE_CADRE

# Who sees teams, selections, commendations and the duty lists within their subtree.
LEADERSHIP_VIEW_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.AUDITOR, Role.BRANCH_SECRETARY,
                                   TOWNSHIP_LEADER, VILLAGE_CADRE})
# Who nominates for a selection and records commendations, within their subtree.
LEADERSHIP_NOMINATE_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.BRANCH_SECRETARY,
                                       TOWNSHIP_LEADER, VILLAGE_CADRE})
# Who records terms and teams, runs selections, drafts and approves the duty lists, approves push-downs.
LEADERSHIP_MANAGE_ROLES = frozenset({Role.STREET_ADMIN, TOWNSHIP_LEADER})
