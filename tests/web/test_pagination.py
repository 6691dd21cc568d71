from jiceng.people.models import Resident
from jiceng.web.pagination import CappedPaginator
from tests.conftest import PASSWORD


def test_counts_stop_at_the_cap(district, make_household, monkeypatch, make_user, client):
    for i in range(7):
        make_household(district.grid_a1, head_name=f"王{'一二三四五六七'[i]}", phone=f"1390000000{i}")
    qs = Resident.objects.order_by("id")
    monkeypatch.setattr(CappedPaginator, "cap", 5)
    p = CappedPaginator(qs, 2)
    assert p.count == 6 and p.capped and p.count_label == "5+"
    assert CappedPaginator(qs.filter(name="王一"), 2).count == 1
    user = make_user("grid_worker", district.grid_a1)
    client.login(username=user.username, password=PASSWORD)
    assert "超过 5 条" in client.get("/people/residents/").content.decode()
