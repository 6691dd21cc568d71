"""Cadre work's use cases (ARCHITECTURE rule 1): every write goes through one of these."""
from .performance import (  # noqa: F401
    adjustment_decide, adjustment_propose, appeal_deadline, appeal_decide, appeal_file, performance_account_open,
    performance_post,
)
from .rules import rules_for, rules_update, site_of  # noqa: F401
from .tasks import (  # noqa: F401
    points_for, task_add, task_grade, task_list_create, task_list_issue, task_remove, task_report,
    task_report_return,
    tasks_check_due,
)
from .ranking import DEFAULT_INDICATORS, period_of, ranked_units, ranking_compute, ranking_run, scheme_save  # noqa: F401
from .rectification import follow_up_add, measure_complete, plan_close, plan_create  # noqa: F401
from .showcases import (  # noqa: F401
    TEMPLATES, showcase_assess, showcase_create, showcase_letter, showcase_progress,
)
from .sources import points_collect, points_from_reports, points_from_visits  # noqa: F401
from .escalation import SOURCES, measure_to_task, task_from_source  # noqa: F401
