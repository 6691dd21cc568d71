"""Every write of the collective economy: one function per use case, transactional."""
from .confirmation import confirmation_create, confirmation_document_add, confirmation_step  # noqa: F401
from .enterprises import (  # noqa: F401
    distribution_publish, enterprise_create, enterprise_year_record, rule_create, shareholdings_set,
)
from .finance import (  # noqa: F401
    FundOverdrawn, fund_open, fund_receive, fund_spend, income_record, letter_sign, project_create, project_progress,
    reimbursement_record, settings_for, settings_update,
)
from .register import (  # noqa: F401
    asset_create, asset_document_add, asset_update, revitalisation_finish, revitalisation_start,
)
from .transactions import (  # noqa: F401
    bid_invalidate, bid_record, contract_alerts_send, contract_sign, listing_award, listing_create, paid_total,
    payment_record,
)
