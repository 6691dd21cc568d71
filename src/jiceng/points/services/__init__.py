"""Points services: every write of the points app, one function per use case."""
from .cards import card_issue, card_lookup, card_reissue, cards_issue_missing  # noqa: F401
from .declarations import (  # noqa: F401
    approval_blockers, declaration_add_evidence, declaration_record, declaration_review, declaration_submit,
    declarations_review_batch, event_record, exchange_points, grant_points, objection_lodge, objection_resolve,
    publicity_post_due,
)
from .ledger import InsufficientPoints, ledger_post, ledger_reverse, points_verify, programme_for_path  # noqa: F401
from .programme import (  # noqa: F401
    effective_items, item_create, item_retire, item_update, programme_create, programme_update,
)
from .ratings import ratings_evaluate, ratings_evaluate_due  # noqa: F401
from .shop import (  # noqa: F401
    DuplicateRedemption, household_for_counter, product_create, product_update, redemption_create, shop_create,
    stock_move,
)
