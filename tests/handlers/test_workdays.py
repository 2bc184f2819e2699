"""Working days with Chinese holidays, make-up weekends, and office-imported later years."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from bot.cli import cli
from handlers.workdays import WorkCalendar, import_holidays, parse_holiday_file

HOLIDAYS_2027 = """日期,名称,类型
2027-01-01,元旦,休
2027-01-02,元旦,休
2027-01-03,元旦,休
2027-02-06,春节,休
2027-02-07,春节,休
2027-02-08,春节,休
2027-02-09,春节,休
2027-02-10,春节,休
2027-02-11,春节,休
2027-02-12,春节,休
2027-02-13,春节,休
2027-02-14,春节调休,班
2027-02-20,春节调休,班
"""


def test_national_day_2026_holidays_and_make_up_weekend(services):
    with services.sessions() as s:
        cal = WorkCalendar(s)
        assert not cal.is_workday(date(2026, 10, 1))  # 国庆
        assert not cal.is_workday(date(2026, 10, 7))
        assert cal.is_workday(date(2026, 10, 10))  # Saturday make-up working day
        # the 5th working day of October 2026 falls after the holiday
        assert cal.nth_workday_of_month(2026, 10, 5) == date(2026, 10, 13)
        assert not cal.missing_years


def test_unknown_year_falls_back_to_weekdays_and_is_noted(services, calendar_ends_2026):
    with services.sessions() as s:
        cal = WorkCalendar(s)
        assert not cal.knows(2027)
        assert cal.nth_workday_of_month(2027, 1, 1) == date(2027, 1, 1)  # Friday, a weekday
        assert cal.missing_years == {2027}


def test_imported_year_is_used(services):
    rows = parse_holiday_file(HOLIDAYS_2027)
    with services.sessions() as s, s.begin():
        assert import_holidays(s, rows, "国办发明电") == [2027]
    with services.sessions() as s:
        cal = WorkCalendar(s)
        assert cal.knows(2027)
        assert cal.nth_workday_of_month(2027, 1, 1) == date(2027, 1, 4)
        assert cal.is_workday(date(2027, 2, 14))  # a Sunday made a working day
        assert cal.add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 14)
        assert not cal.missing_years


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("日期,名称\n2027-01-01,元旦\n", "第1行应为表头"),
        ("日期,名称,类型\n2027-13-01,元旦,休\n", "第2行：日期「2027-13-01」无效"),
        ("日期,名称,类型\n2027-01-01,元旦,放\n", "第2行：类型「放」无效"),
        ("日期,名称,类型\n", "文件中没有日期"),
    ],
)
def test_bad_holiday_file_is_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_holiday_file(text)


def test_holidays_import_command(env, services, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(HOLIDAYS_2027, encoding="utf-8")
    result = CliRunner().invoke(cli, ["holidays", "import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "已导入2027年的13个" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,名称,类型\n2027-01-01,元旦,x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["holidays", "import", str(bad)], env=env)
    assert result.exit_code != 0 and "第2行" in result.output
