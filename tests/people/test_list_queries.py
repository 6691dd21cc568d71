"""List pages run a fixed number of queries, however many rows they show."""
import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture
def worker_client(district, make_user, make_household):
    for i in range(25):
        make_household(district.building_a1, head_name=f"王{'一二三四五六七八九十'[i % 10]}", phone=f"1381234{i:04d}")
    user = make_user("grid_worker", district.grid_a1)
    c = Client()
    c.login(username=user.username, password=PASSWORD)
    c.get("/")  # warm the session
    return c


@pytest.mark.parametrize("url", ["/people/residents/", "/people/households/", "/people/residents/?q=wy",
                                 "/people/party-members/", "/"])
def test_list_pages_have_a_bounded_query_count(url, worker_client, django_assert_max_num_queries):
    # The home page has one more panel than the lists: the worker's visits to make (one query).
    with django_assert_max_num_queries(15 if url == "/" else 14):
        r = worker_client.get(url)
    assert r.status_code == 200
