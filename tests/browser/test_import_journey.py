"""A community worker imports a spreadsheet: the check finds an error, they fix it, import, and
find the residents."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jiceng.people.models import Resident
from tests.browser.conftest import shot
from tests.conftest import PASSWORD, bad_check_digit
from tests.imports.test_import_residents import csv_bytes, good_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_journey(live_server, desk_page, district, make_user, tmp_path):
    user = make_user("community_staff", district.comm_a)
    page = desk_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    rows = good_rows(district)
    rows[1][1] = bad_check_digit(rows[1][1])
    bad_file = tmp_path / "居民台账.csv"
    bad_file.write_bytes(csv_bytes(rows, encoding="gbk"))
    page.goto(f"{live_server.url}/imports/")
    shot(page, "import-01-upload")
    page.select_option("#id_kind", "residents")
    page.set_input_files("#id_file", str(bad_file))
    page.click("button[type=submit]")
    expect(page.locator(".alert-danger")).to_contain_text("整个文件未导入", timeout=15000)
    expect(page.locator("table")).to_contain_text("校验位不正确")
    assert Resident.objects.count() == 0
    shot(page, "import-02-errors")
    with page.expect_download() as download:
        page.click("text=下载错误说明")
    assert download.value.suggested_filename.endswith("-errors.xlsx")

    good_file = tmp_path / "居民台账-改正.csv"
    good_file.write_bytes(csv_bytes(good_rows(district), encoding="gbk"))
    page.goto(f"{live_server.url}/imports/")
    page.select_option("#id_kind", "residents")
    page.set_input_files("#id_file", str(good_file))
    page.click("button[type=submit]")
    expect(page.locator("text=检查通过")).to_be_visible(timeout=15000)
    shot(page, "import-03-checked")
    page.click("text=确认导入")
    expect(page.locator(".badge")).to_contain_text("已导入", timeout=15000)
    assert Resident.objects.count() == 3
    shot(page, "import-04-applied")
    page.goto(f"{live_server.url}/people/residents/?q=wy")
    expect(page.locator("#rows")).to_contain_text("王一")
