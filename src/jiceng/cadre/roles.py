"""The roles and purposes cadre work defines (registered in module.py)."""
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import Role

TOWNSHIP_LEADER = "township_leader"
TOWNSHIP_LEADER_LABEL = _("乡镇（街道）领导")
VILLAGE_CADRE = "village_cadre"
VILLAGE_CADRE_LABEL = _("村（社区）干部")

# Who sees task lists, tasks and performance points within their subtree.
CADRE_VIEW_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_STAFF, Role.AUDITOR, TOWNSHIP_LEADER, VILLAGE_CADRE})
# Who issues lists, grades tasks, approves adjustments, decides appeals and sets the rules.
CADRE_MANAGE_ROLES = frozenset({Role.STREET_ADMIN, TOWNSHIP_LEADER})
