"""The purposes duty desks define (registered in module.py). The roles are cadre work's and the platform's."""
from jiceng.accounts.models import Role
from jiceng.cadre.roles import TOWNSHIP_LEADER, VILLAGE_CADRE

# Who sees desks, rosters, visitors and attendance within their subtree.
DUTY_VIEW_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.AUDITOR, TOWNSHIP_LEADER, VILLAGE_CADRE})
# Who sets up desks, draws up rosters and sets the rules.
DUTY_MANAGE_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, TOWNSHIP_LEADER})
