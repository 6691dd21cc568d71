"""The home page's sub-unit rows add up to its tiles: records held by the unit itself get their own row."""
from __future__ import annotations

import datetime as dt


def test_party_members_of_a_grids_own_branch_are_counted_in_a_row_of_their_own(district, admin, make_user,
                                                                                 make_household, client):
    from jiceng.accounts.models import Role
    from jiceng.people.selectors import people_counts, unit_breakdown
    from jiceng.people.services import party_member_create

    h = make_household(district.building_a1, head_name="党员甲")
    party_member_create(actor=admin, resident=h.members.get(), branch=district.grid_a1, join_date=dt.date(2001, 7, 1))
    worker = make_user(Role.GRID_WORKER, district.grid_a1)

    rows = unit_breakdown(user=worker, unit=district.grid_a1)
    totals = people_counts(user=worker)
    assert totals["party_members"] == 1
    for key in ("households", "residents", "party_members"):
        assert sum(r[key] for r in rows) == totals[key], key
    own = [r for r in rows if r.get("own")]
    assert len(own) == 1 and own[0]["unit"] == district.grid_a1 and own[0]["party_members"] == 1

    client.force_login(worker)
    page = client.get("/").content.decode()
    assert "本级直属" in page
