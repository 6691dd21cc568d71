from tests.conftest import PASSWORD


def test_switching_to_english_translates_the_interface(district, make_user, client):
    user = make_user("grid_worker", district.grid_a1)
    client.login(username=user.username, password=PASSWORD)
    page = client.get("/people/residents/").content.decode()
    assert "居民" in page and 'lang="zh-hans"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/people/residents/"})
    page = client.get("/people/residents/").content.decode()
    assert 'lang="en"' in page
    assert "Residents" in page and "ID number" in page


def test_large_print_switch_sets_a_cookie_and_class(district, make_user, client):
    user = make_user("resident", district.grid_a1)
    client.login(username=user.username, password=PASSWORD)
    r = client.get("/large-print/?next=/")
    assert r.status_code == 302 and r.cookies["large_print"].value == "1"
    assert 'class="large-print"' in client.get("/").content.decode()
    r = client.get("/large-print/?next=https://evil.example/")
    assert r["Location"] == "/"
