"""A site's points rules for cadre records (干部队伍积分规则): how many performance points a posting review, a
contact visit, a pledge checked at the end of a term and a completed job-shadowing placement post. Settings per
site, never constants; zero posts nothing."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["LeadershipRules"]


class LeadershipRules(models.Model):
    """One site's (a street's or township's) points for cadre records; a change applies to records made after it."""

    site = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    review_excellent_points = models.IntegerField(_("驻村考核“优秀”"), default=0)
    review_competent_points = models.IntegerField(_("驻村考核“称职”"), default=0)
    review_basic_points = models.IntegerField(_("驻村考核“基本称职”"), default=0)
    review_incompetent_points = models.IntegerField(_("驻村考核“不称职”"), default=0)
    contact_visit_points = models.IntegerField(_("联系点走访一次"), default=0)
    pledge_kept_points = models.IntegerField(_("换届承诺已兑现"), default=0)
    pledge_broken_points = models.IntegerField(_("换届承诺未兑现"), default=0)
    shadowing_points = models.IntegerField(_("完成跟岗学习"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("干部队伍积分规则")

    def __str__(self) -> str:
        return str(_("干部队伍积分规则"))
