"""Duty desks' use cases (ARCHITECTURE rule 1): every write goes through one of these."""
from .attendance import check_in, check_out, duty_check  # noqa: F401
from .desks import day_code, desk_create, distance_m, rules_for, rules_update, site_of  # noqa: F401
from .roster import shift_create, shift_delete  # noqa: F401
from .visitors import visitor_record  # noqa: F401
