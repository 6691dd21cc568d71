from tests.conftest import PASSWORD


def test_tree_shows_the_users_units_and_loads_children_on_demand(district, make_user, client):
    user = make_user("community_staff", district.comm_a)
    client.login(username=user.username, password=PASSWORD)
    page = client.get("/orgs/").content.decode()
    assert "甲社区" in page and "甲一网格" in page and "甲二网格" in page
    assert "乙社区" not in page
    children = client.get(f"/orgs/{district.grid_a1.pk}/children/").content.decode()
    assert "1栋" in children
    assert client.get(f"/orgs/{district.comm_b.pk}/children/").status_code == 404
    detail = client.get(f"/orgs/{district.comm_a.pk}/").content.decode()
    assert "甲社区党组织" in detail and "530124001001" in detail
