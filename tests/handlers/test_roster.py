"""Roster import/export through the `liaison roster` commands: all-or-nothing, in place, with history."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.cli import cli
from handlers.roster import HEADER
from storage.roster import Appointment, Person, Unit

ROWS = [
    ["区人社局", "王芳", "劳动监察科科长", "联络员", "wangfang", "", "13900000001"],
    ["区人社局", "李强", "副局长", "分管领导", "liqiang", "ding-liqiang", "13900000002"],
    ["马寨镇人民政府", "赵敏", "科员", "联络员", "", "ding-zhaomin", ""],
    ["区卫健委", "陈静", "职业健康科科长", "办公室", "chenjing", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def run(env: dict[str, str], *args: str):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result


def counts(services) -> tuple[int, int, int]:
    with services.sessions() as s:
        return (
            len(s.scalars(select(Unit)).all()),
            len(s.scalars(select(Person)).all()),
            len(s.scalars(select(Appointment)).all()),
        )


def test_import_creates_units_people_and_roles(env, services, tmp_path):
    result = run(env, "roster", "import", str(write_csv(tmp_path / "r.csv", ROWS)))
    assert result.exit_code == 0, result.output
    assert "新建单位3个" in result.output and "新增人员4人" in result.output
    assert counts(services) == (3, 4, 4)
    with services.sessions() as s:
        li = s.scalar(select(Person).where(Person.dingtalk_userid == "ding-liqiang"))
        assert li.name == "李强" and li.wecom_userid == "liqiang" and li.mobile == "13900000002"


def test_reimport_updates_in_place_and_keeps_history(env, services, clock, tmp_path):
    run(env, "roster", "import", str(write_csv(tmp_path / "a.csv", ROWS)))
    clock.advance(days=30)
    changed = [r[:] for r in ROWS]
    changed[0] = ["区人社局", "孙磊", "科员", "联络员", "sunlei", "", ""]  # new liaison officer
    changed[1][2] = "局长"  # title change, same person
    result = run(env, "roster", "import", str(write_csv(tmp_path / "b.csv", changed)), "--replace")
    assert result.exit_code == 0, result.output
    assert "卸任1项" in result.output and "新任职1项" in result.output
    assert "已卸任：区人社局 联络员 王芳" in result.output
    units, people, appointments = counts(services)
    assert (units, people, appointments) == (3, 5, 5)  # 王芳 kept as a person, her role ended
    with services.sessions() as s:
        wang = s.scalar(select(Person).where(Person.wecom_userid == "wangfang"))
        (old,) = wang.appointments
        assert old.ended_at is not None and old.ended_at > old.started_at
        li = s.scalar(select(Person).where(Person.wecom_userid == "liqiang"))
        assert li.title == "局长" and len(li.appointments) == 1
    run(env, "roster", "import", str(write_csv(tmp_path / "c.csv", changed)))
    assert counts(services) == (3, 5, 5)  # the same file again changes nothing


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        (["区人社局", "周一", "", "联络人", "zhouyi", "", ""], "第4行：角色「联络人」无效"),
        (["", "周一", "", "联络员", "zhouyi", "", ""], "第4行：缺少单位"),
        (
            ["区人社局", "周一", "", "联络员", "", "", ""],
            "第4行：企业微信账号和钉钉账号至少填写一个",
        ),
        (
            ["区人社局", "周一", "", "联络员", "zhouyi", "", "12345"],
            "第4行：手机号「12345」格式不正确",
        ),
        (
            ["区人社局", "周一", "", "联络员", "wangfang", "", ""],
            "账号「wangfang」已在第2行属于王芳",
        ),
    ],
)
def test_a_bad_row_names_its_number_and_nothing_is_imported(
    env, services, tmp_path, bad_row, reason
):
    rows = [*ROWS[:2], bad_row, *ROWS[2:]]
    result = run(env, "roster", "import", str(write_csv(tmp_path / "bad.csv", rows)))
    assert result.exit_code != 0
    assert reason in result.output and "未导入任何数据" in result.output
    assert counts(services) == (0, 0, 0)


def test_wrong_header_is_refused(env, services, tmp_path):
    path = write_csv(tmp_path / "h.csv", ROWS, header=["单位", "姓名", "角色"])
    result = run(env, "roster", "import", str(path))
    assert result.exit_code != 0 and "第1行应为表头" in result.output
    assert counts(services) == (0, 0, 0)


def test_xlsx_import_and_export_round_trip(env, services, tmp_path):
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    book.save(tmp_path / "in.xlsx")
    assert run(env, "roster", "import", str(tmp_path / "in.xlsx")).exit_code == 0
    result = run(env, "roster", "export", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0, result.output
    out = [
        ["" if v is None else str(v) for v in row]
        for row in load_workbook(tmp_path / "out.xlsx").active.iter_rows(values_only=True)
    ]
    assert out[0] == HEADER
    assert sorted(out[1:]) == sorted(ROWS)
    # and the exported file imports again without changes
    assert "新增人员0人" in run(env, "roster", "import", str(tmp_path / "out.xlsx")).output


def test_demo_seeds_the_seed_units_once(env, services):
    result = run(env, "demo")
    assert "32个成员单位" in result.output
    with services.sessions() as s:
        names = [u.name for u in s.scalars(select(Unit))]
        assert {"区卫健委", "区人社局", "区总工会", "马寨镇人民政府"} <= set(names)
        assert all("（演示）" in p.name and p.demo for p in s.scalars(select(Person)))
    assert "未写入演示数据" in run(env, "demo").output


def test_one_person_on_several_rows_keeps_what_any_row_gives(env, services, tmp_path):
    rows = [
        ["区人社局", "王五", "科长", "联络员", "wangwu", "", "139 0000-0001"],
        ["区人社局", "王五", "科长", "分管领导", "wangwu", "", "13900000001"],
        ["区总工会", "王五", "", "联络员", "wangwu", "", ""],  # blanks here erase nothing
    ]
    result = run(env, "roster", "import", str(write_csv(tmp_path / "w.csv", rows)))
    assert result.exit_code == 0, result.output
    assert "新增人员1人" in result.output and "新任职3项" in result.output
    with services.sessions() as s:
        (wang,) = s.scalars(select(Person)).all()
        assert (wang.title, wang.mobile) == ("科长", "13900000001")
    again = run(env, "roster", "import", str(write_csv(tmp_path / "w.csv", rows)))
    assert "更新人员0人" in again.output and "新任职0项" in again.output


def test_a_row_whose_two_accounts_belong_to_two_people_is_refused(env, services, tmp_path):
    run(env, "roster", "import", str(write_csv(tmp_path / "a.csv", ROWS)))
    mixed = [["区人社局", "王芳", "科长", "联络员", "wangfang", "ding-liqiang", ""]]
    result = run(env, "roster", "import", str(write_csv(tmp_path / "b.csv", mixed)))
    assert result.exit_code != 0
    assert "第2行" in result.output and "属于李强" in result.output
    assert "未导入任何数据" in result.output and "Traceback" not in result.output
    assert counts(services) == (3, 4, 4)


def test_import_looks_people_up_in_a_fixed_number_of_queries(env, services, tmp_path, clock):
    from sqlalchemy import event

    from handlers.demo import demo_rows
    from handlers.roster import apply_rows

    def queries(rows) -> int:
        seen: list[str] = []
        engine = services.sessions.kw["bind"]
        listener = lambda *a: seen.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            with services.sessions() as s, s.begin():
                apply_rows(s, rows, clock())
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return sum(1 for q in seen if q.lstrip().upper().startswith("SELECT"))

    rows = demo_rows()
    queries(rows)  # first import: creates everyone
    fewer = rows[:10] + rows[-3:]  # five units, the 区卫健委 office people kept: nothing ends
    assert queries(rows) == queries(fewer)  # the same whatever the number of rows


@pytest.mark.parametrize("short", ["人社局", "淮河路", "马寨镇"])
def test_an_abbreviated_unit_name_is_refused_not_made_a_new_unit(env, services, tmp_path, short):
    assert run(env, "demo").exit_code == 0
    before = counts(services)
    rows = [[short, "周一", "科员", "联络员", "zhouyi", "", ""]]
    result = run(env, "roster", "import", str(write_csv(tmp_path / "s.csv", rows)))
    assert result.exit_code != 0
    assert f"单位「{short}」不在名单中，是不是「" in result.output
    assert counts(services) == before


def test_a_file_that_would_end_appointments_names_them_and_needs_replace(env, services, tmp_path):
    run(env, "roster", "import", str(write_csv(tmp_path / "a.csv", ROWS)))
    only_liaison = [["区人社局", "孙磊", "科员", "联络员", "sunlei", "", ""]]  # 李强 left out
    path = str(write_csv(tmp_path / "b.csv", only_liaison))
    result = run(env, "roster", "import", path)
    assert result.exit_code != 0 and "未导入任何数据" in result.output
    assert "会使以下2项任职卸任" in result.output
    assert "区人社局 联络员 王芳" in result.output and "区人社局 分管领导 李强" in result.output
    assert "--replace" in result.output
    assert counts(services) == (3, 4, 4)
    result = run(env, "roster", "import", path, "--replace")
    assert result.exit_code == 0, result.output
    assert "卸任2项" in result.output and "已卸任：区人社局 分管领导 李强" in result.output
    with services.sessions() as s:
        ended = s.scalars(select(Appointment).where(Appointment.ended_at.is_not(None))).all()
        assert sorted(a.person.name for a in ended) == ["李强", "王芳"]


def test_a_unit_name_close_to_a_known_one_is_refused_unless_marked_new(env, services, tmp_path):
    run(env, "roster", "import", str(write_csv(tmp_path / "a.csv", ROWS)))
    typo = [["区人设局", "周一", "科员", "联络员", "zhouyi", "", ""]]
    result = run(env, "roster", "import", str(write_csv(tmp_path / "t.csv", typo)))
    assert result.exit_code != 0
    assert "第2行：单位「区人设局」不在名单中" in result.output
    assert "是不是「区人社局」" in result.output and "新单位" in result.output
    assert counts(services) == (3, 4, 4)
    marked = write_csv(tmp_path / "m.csv", [[*typo[0], "是"]], header=[*HEADER, "新单位"])
    result = run(env, "roster", "import", str(marked))
    assert result.exit_code == 0, result.output
    assert "新建单位1个" in result.output


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (["单位", "姓名", "职务", "角色", "企业微信账号", "手机"], "第1行表头缺少「钉钉账号」列"),
        (
            ["单位", "姓名", "角色", "职务", "企业微信账号", "钉钉账号", "手机"],
            "第1行第3列应为「职务」，实为「角色」（「职务」在第4列）",
        ),
    ],
)
def test_a_header_error_names_the_missing_or_misplaced_column(
    env, services, tmp_path, header, reason
):
    result = run(env, "roster", "import", str(write_csv(tmp_path / "h.csv", ROWS, header=header)))
    assert result.exit_code != 0
    assert reason in result.output and "未导入任何数据" in result.output
    assert counts(services) == (0, 0, 0)


def test_a_workbook_with_several_sheets_says_which_it_read(env, services, tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["填表说明：每人一行"])
    sheet = book.create_sheet("名单")
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    book.create_sheet("备用")
    book.save(tmp_path / "several.xlsx")
    result = run(env, "roster", "import", str(tmp_path / "several.xlsx"))
    assert result.exit_code == 0, result.output
    assert "工作簿有3个工作表（「说明」「名单」「备用」），读取的是「名单」" in result.output
    assert counts(services) == (3, 4, 4)


def test_the_new_roles_are_accepted_and_a_unit_names_one_deputy(env, services, tmp_path):
    rows = [
        *ROWS,
        ["区人民政府", "刘洋", "副区长", "总召集人", "liuyang", "", ""],
        ["区人社局", "吴敏", "科员", "联络员（B角）", "wumin", "", ""],
    ]
    result = run(env, "roster", "import", str(write_csv(tmp_path / "r.csv", rows)))
    assert result.exit_code == 0, result.output
    with services.sessions() as s:
        roles = {a.role for a in s.scalars(select(Appointment))}
        assert {"总召集人", "联络员（B角）"} <= roles
    two = [*rows, ["区人社局", "郑好", "科员", "联络员（B角）", "zhenghao", "", ""]]
    result = run(env, "roster", "import", str(write_csv(tmp_path / "two.csv", two)))
    assert result.exit_code != 0
    assert "第8行：区人社局已在第7行设了B角吴敏，每个单位只设一名B角" in result.output
