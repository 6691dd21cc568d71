"""Every write of the monitoring module (one function per use case), grouped by concern."""
from .cases import (  # noqa: F401
    case_step, elimination_conditions, elimination_start, measure_add, measure_update, postings_close,
    responsible_assign, visits_check,
)
from . import config  # noqa: F401
from .config import (  # noqa: F401
    income_line_for, income_line_set, rule_update, rules_update, settings_for, settings_update, site_of,
)
from .profiles import profile_facts, profile_save, profile_viewed  # noqa: F401
from .signals import (  # noqa: F401
    rules_run_all, rules_run_for_household, self_declaration_submit, signal_confirm, signal_dismiss,
    signal_raise, signals_mark_overdue, visit_record,
)
