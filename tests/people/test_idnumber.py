import datetime as dt

from jiceng.people.idnumber import check_id_number, mask_id_number, mask_name, mask_phone
from tests.conftest import bad_check_digit, make_id


def test_valid_number_yields_birth_date_and_gender():
    number = make_id(birth=dt.date(1990, 2, 28), gender="F")
    result = check_id_number(number)
    assert result.ok
    assert result.birth_date == dt.date(1990, 2, 28)
    assert result.gender == "F"


def test_wrong_check_digit_is_refused_with_the_expected_digit():
    number = make_id()
    result = check_id_number(bad_check_digit(number))
    assert not result.ok
    assert "校验位不正确" in result.errors[0]
    assert number[-1] in result.errors[0]


def test_birth_date_contradicting_the_number_is_refused():
    number = make_id(birth=dt.date(1980, 5, 1))
    result = check_id_number(number, birth_date=dt.date(1980, 5, 2))
    assert result.errors == ["出生日期1980-05-02与身份证号中的出生日期1980-05-01不一致"]


def test_gender_contradicting_the_17th_digit_is_refused():
    result = check_id_number(make_id(gender="M"), gender="F")
    assert len(result.errors) == 1 and "性别" in result.errors[0]


def test_impossible_birth_date_is_refused():
    body = "53012419800231123"
    from stdnum.cn import ric
    result = check_id_number(body + ric.calc_check_digit(body + "0"))
    assert "出生日期19800231无效" in result.errors[0]


def test_fifteen_digit_and_short_numbers_are_refused_with_reasons():
    assert "15位" in check_id_number("530124800501123").errors[0]
    assert "18位" in check_id_number("5301241980").errors[0]


def test_lowercase_x_and_full_width_digits_are_normalised():
    number = None
    for seq in range(1, 400):
        n = make_id(seq=seq)
        if n.endswith("X"):
            number = n
            break
    assert number is not None
    result = check_id_number(number[:-1] + "x")
    assert result.ok and result.number == number
    full_width = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in number)
    assert check_id_number(full_width).number == number


def test_area_code_not_in_use_in_birth_year_is_a_warning_not_an_error():
    # 东川区 530113 exists from 1998; a person born in 1960 and registered late carries it.
    number = make_id(area="530113", birth=dt.date(1960, 1, 1))
    result = check_id_number(number)
    assert result.ok
    assert result.warnings and "530113" in result.warnings[0]


def test_masking():
    assert mask_id_number("530113199001011234") == "530113********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张小明") == "张*明"
    assert mask_name("张三") == "张*"
