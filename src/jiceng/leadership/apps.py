from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    name = "jiceng.leadership"
    label = "leadership"
    verbose_name = "班子队伍与基层减负"
