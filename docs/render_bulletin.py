"""Render the first page of a demo bulletin to docs/images/bulletin-page1.png (documentation only).

Needs LibreOffice, a CJK font and poppler on the machine (not runtime dependencies):
    apt-get install -y libreoffice-writer fonts-noto-cjk poppler-utils
    .venv/bin/python docs/render_bulletin.py
"""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.core import Context
from handlers.demo import seed_demo, seed_reports
from handlers.reports.bulletin_docx import BulletinContent, build_bulletin
from handlers.reports.calendar import Quarter, ReportSchedule
from handlers.reports.status import status_grid
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade

TZ = ZoneInfo("Asia/Shanghai")
OUT = Path(__file__).resolve().parent / "images" / "bulletin-page1.png"
Q3 = Quarter(2026, 3)
DEMO = {  # unit id: (工作动态, 主要活动, 重大事项进展), invented for the picture
    1: (
        "组织开展《职业病防治法》宣传周活动，发放宣传资料2000余份。",
        "对辖区12家重点企业开展职业卫生监督检查。",
        "尘肺病防治攻坚行动：已完成摸底30家，整改中8家。",
    ),
    9: (
        "将职业病患者纳入工伤保险待遇落实专项核查。",
        "开展工伤预防培训2场，覆盖企业负责人150人。",
        "无",
    ),
    11: ("督促在建项目落实粉尘、噪声防护措施。", "联合区卫健委检查建筑工地6处。", "无"),
    15: ("收集劳动者职业健康诉求5件，均已转交办理。", "开展“安康杯”职业健康知识竞赛。", "无"),
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        engine = make_engine(f"sqlite:///{work / 'demo.db'}")
        upgrade(engine)
        with make_session_factory(engine)() as session:
            seed_demo(session, datetime(2026, 7, 1, tzinfo=TZ))
            seed_reports(
                session,
                Q3.periods(),
                DEMO,
                tz=TZ,
                filed_by=1,
                missing=lambda unit_id, month: unit_id == 15 and month == 1,  # 区总工会, August
            )
            ctx = Context(session=session, now=datetime(2026, 11, 23, 9, tzinfo=TZ), tz=TZ)
            content = BulletinContent(
                org_name="二七区职业病防治工作联席会议",
                year=2026,
                number=3,
                quarter=Q3,
                issued=date(2026, 10, 20),
                periods=Q3.periods(),
                grid=status_grid(session, ReportSchedule(ctx), Q3.periods()),
            )
            (work / "bulletin.docx").write_bytes(build_bulletin(content))
        engine.dispose()
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(work / "bulletin.docx"),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(work / "bulletin.pdf"),
                str(OUT.with_suffix("")),
            ],
            check=True,
        )
    print(OUT)


if __name__ == "__main__":
    main()
