"""Leadership and burden-cutting services (班子队伍与基层减负): one import point for views, API and demo."""
from .duties import (  # noqa: F401
    duty_item_remove, duty_item_save, duty_list_approve, duty_list_draft, negative_items_over, push_down_approve,
    push_down_check, push_down_match,
)
from .selections import (  # noqa: F401
    commendation_record, nominate, nomination_review, objection_file, objection_resolve, publicity_start,
    selection_award, selection_create,
)
from .teams import (  # noqa: F401
    age_on, managed_up_end, managed_up_start, member_add, member_leave, pledge_add, pledge_check, previous_term,
    roster_import, secretaries_comparison, team_profile, term_comparison, term_create,
)
from .records import (  # noqa: F401
    circular_issue, contact_assign, contact_visit, contacts_with_due, finding_fix, inspection_record,
    inspections_without_circulars, loan_record, loan_return, overdue_findings, plaque_check, plaque_record,
    posting_review, posting_replace, posting_start, rank_change_record, reserve_add, reserve_close, shadowing_record,
    training_close, training_create, upgrade_enrol, upgrade_finish,
)
from .rules import record_points, rules_for as points_rules_for, rules_update as points_rules_update  # noqa: F401
from .records import shadowing_points_due  # noqa: F401
from .certificates import certificate_request_answer, certificate_request_record  # noqa: F401
