"""``python -m etl report``: files written and read back, exit codes, messages in Vietnamese."""

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from etl import cli
from kpi import exports
from kpi.exports import images
from kpi.store import connect

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def renderer():
    with images.chart_renderer():
        yield


def run(capsys, *args) -> tuple[int, str, str]:
    """The command through ``etl.cli.main`` (exit codes and messages as users get them)."""
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_report_is_a_command_like_the_others():
    sub = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    args = cli.build_parser().parse_args(["--db", "d.duckdb", "report", "--plan", "x", "--period", "2025Q2",
                                          "-o", "a.docx"])
    assert (args.plan, args.period, args.output, args.db, args.func) == ("x", "2025Q2", "a.docx", "d.duckdb",
                                                                          cli.cmd_report)
    assert "báo cáo quý" in sub.choices["report"].description


def exports_logged(db) -> list[tuple]:
    with connect(db) as con:
        return con.execute("SELECT actor, via, object, after FROM audit_log WHERE action = 'export' ORDER BY id").fetchall()


def test_report_writes_word_excel_and_charts(demo_copy, tmp_path, capsys, renderer):
    out = tmp_path / "out" / "bc.docx"
    code, stdout, err = run(capsys, "--db", str(demo_copy), "report", "--plan", "bentre_2024_2025", "--period", "2025Q2",
                            "-o", str(out), "--xlsx", str(tmp_path / "bang.xlsx"), "--charts", str(tmp_path / "img"),
                            "--number", "12/BC-VPTU", "--date", "2025-07-10")
    assert code == 0, err
    assert stdout.startswith(f"Đã ghi báo cáo {out}: Bến Tre Đồng Khởi mới 2024-2025, Quý II/2025")
    doc = Document(str(out))
    assert doc.tables[0].rows[1].cells[0].text == "Số 12/BC-VPTU"
    assert doc.tables[0].rows[1].cells[1].text == "Bến Tre, ngày 10 tháng 7 năm 2025"
    n = len(exports.report_charts(exports.report_data(demo_copy, "bentre_2024_2025", "2025Q2")))
    assert n >= 2 and len(doc.inline_shapes) == n          # the counts, then each target hard to reach or missed
    assert load_workbook(tmp_path / "bang.xlsx")["Chỉ tiêu"].max_row >= 30
    files = sorted(p.name for p in (tmp_path / "img").iterdir())
    assert len(files) == 2 * n and files[0] == "01_trang-thai.png" and files[1] == "01_trang-thai.svg"
    assert f"[########################] {2 * n + 3}/{2 * n + 3} Xong" in err   # PNG and SVG of each, Word, brief, Excel
    [(who, via, obj, after)] = exports_logged(demo_copy)                   # in the audit log
    assert (who, via, obj) == ("@local", "cli", "bentre_2024_2025 2025Q2")
    assert json.loads(after)["files"] == [str(out), str(tmp_path / "bang.xlsx"), str(tmp_path / "img")]


def test_brief_texts_and_signer(demo_copy, tmp_path, capsys, renderer):
    causes = tmp_path / "nguyen-nhan.txt"
    causes.write_text("Mưa lũ kéo dài.\n", encoding="utf-8")
    out = tmp_path / "bc.docx"
    code, stdout, err = run(capsys, "--db", str(demo_copy), "report", "--plan", "dienbien_2021_2025", "--period",
                            "2025Q2", "-o", str(out), "--text", f"causes={causes}", "--signer", "Lò Văn B",
                            "--deputy", "Phó Giám đốc", "--user", "vanphong")
    assert code == 0, err
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Mưa lũ kéo dài." in text and "[Nguyên nhân" not in text
    sign = [p.text for p in doc.tables[-2].rows[0].cells[1].paragraphs if p.text]
    assert sign == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lò Văn B"]
    # the text is kept for the plan and quarter; the signer given on the command line is not
    code, stdout, err = run(capsys, "--db", str(demo_copy), "report", "--plan", "dienbien_2021_2025", "--period",
                            "2025Q2", "--brief", "-o", str(tmp_path / "tt.docx"))
    assert code == 0 and stdout.startswith(f"Đã ghi bản tóm tắt {tmp_path / 'tt.docx'}")
    assert "4 biểu đồ" in stdout and "," in stdout.split("(")[-1]          # "(8,1 giây)": a decimal comma
    brief = Document(str(tmp_path / "tt.docx"))
    assert len(brief.inline_shapes) == 4 and not any(p.text == "Phụ lục" for p in brief.paragraphs)
    from kpi.exports.texts import load_texts
    stored = load_texts(demo_copy, "dienbien_2021_2025", "2025Q2")
    assert stored.causes == "Mưa lũ kéo dài." and stored.signer_name == ""
    # a reporter may not write the report's texts
    code, _, err = run(capsys, "--db", str(demo_copy), "report", "--plan", "dienbien_2021_2025", "--period",
                       "2025Q2", "-o", str(tmp_path / "x.docx"), "--text", f"causes={causes}", "--user", "tuangiao")
    assert code == 1 and err.startswith("Lỗi: ") and not (tmp_path / "x.docx").exists()


@pytest.mark.parametrize("item, message", [("nguyen_nhan=a.txt", "--text phải có dạng MỤC=TỆP"),
                                           ("causes=khong-co.txt", "Không đọc được tệp 'khong-co.txt'")])
def test_bad_text_argument_exits_2(demo_copy, tmp_path, capsys, monkeypatch, item, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--db", str(demo_copy), "report", "--plan", "dienbien_2021_2025", "--period",
                       "2025Q2", "--text", item)
    assert code == 2 and message in err and not list(tmp_path.glob("*.docx"))


def test_report_by_a_named_account(demo_copy, tmp_path, capsys, renderer):
    code, _, _ = run(capsys, "--db", str(demo_copy), "report", "--plan", "laichau_daihoi_thidua_2025", "--period",
                     "2025Q2", "-o", str(tmp_path / "bc.docx"), "--user", "lanhdao")
    assert code == 0
    assert [r[:3] for r in exports_logged(demo_copy)] == [("lanhdao", "cli", "laichau_daihoi_thidua_2025 2025Q2")]
    code, _, err = run(capsys, "--db", str(demo_copy), "report", "--plan", "laichau_daihoi_thidua_2025", "--period",
                       "2025Q2", "-o", str(tmp_path / "bc2.docx"), "--user", "khong_co_ai")
    assert code == 1 and err.startswith("Lỗi: ") and not (tmp_path / "bc2.docx").exists()


def test_report_json(demo_copy, tmp_path, capsys, renderer):
    out = tmp_path / "bc.docx"
    code, stdout, _ = run(capsys, "report", "--db", str(demo_copy), "--plan", "laichau_daihoi_thidua_2025",
                          "--period", "2025Q2", "-o", str(out), "--json")
    assert code == 0
    summary = json.loads(stdout)
    assert summary["file"] == str(out) and summary["targets"] == 0 and summary["charts"] == 0
    due = exports.report_data(demo_copy, "laichau_daihoi_thidua_2025", "2025Q2").milestones_due()
    assert summary["milestones_due"] == len(due) > 0 and set(summary["seconds"]) == {"charts", "docx", "brief", "xlsx", "total"}
    assert Document(io.BytesIO(out.read_bytes())).paragraphs


def test_default_file_name(demo_copy, tmp_path, capsys, monkeypatch, renderer):
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "--db", str(demo_copy), "report", "--plan", "laichau_daihoi_thidua_2025",
                     "--period", "2025Q1")
    assert (tmp_path / "bao-cao_laichau_daihoi_thidua_2025_2025Q1.docx").is_file() and code == 0
    code, _, _ = run(capsys, "--db", str(demo_copy), "report", "--plan", "laichau_daihoi_thidua_2025",
                     "--period", "2025Q1", "--brief")
    assert (tmp_path / "tom-tat_laichau_daihoi_thidua_2025_2025Q1.docx").is_file() and code == 0


@pytest.mark.parametrize("args, message", [
    (["--plan", "dienbien_2021_2025", "--period", "2025"], "Kỳ phải là một quý, ví dụ 2025Q2"),
    (["--plan", "dienbien_2021_2025", "--period", "quý 2"], "Kỳ báo cáo không hợp lệ"),
    (["--plan", "dienbien_2021_2025", "--period", "2030Q1"], "nằm ngoài thời gian của kế hoạch (2021–2025)"),
    (["--plan", "khong_co", "--period", "2025Q2"], "Không có kế hoạch 'khong_co'. Các kế hoạch: bentre_2024_2025"),
    (["--plan", "dienbien_2021_2025", "--period", "2025Q2", "--unit", "999"], "Không có đơn vị '999'"),
    (["--plan", "dienbien_2021_2025", "--period", "2025Q2", "-o", "bc.pdf"], "phải có đuôi .docx"),
    (["--plan", "dienbien_2021_2025", "--period", "2025Q2", "--date", "10/07/2025"], "Ngày không hợp lệ"),
])
def test_wrong_usage_exits_2(demo_db, tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--db", str(demo_db), "report", *args)
    assert code == 2 and err.startswith("Lỗi: ") and message in err
    assert not list(tmp_path.iterdir())


def test_missing_plan_is_a_usage_error(demo_db, capsys):
    with pytest.raises(SystemExit) as e:
        run(capsys, "--db", str(demo_db), "report", "--period", "2025Q2")
    assert e.value.code == 2
    assert "Lỗi cú pháp lệnh" in capsys.readouterr().err


def test_database_without_catalogue_exits_1(tmp_path, capsys):
    from kpi.store import connect

    code, _, err = run(capsys, "--db", str(tmp_path / "none.duckdb"), "report", "--plan", "p", "--period", "2025Q2",
                       "-o", str(tmp_path / "bc.docx"))
    assert code == 1 and "Chưa có cơ sở dữ liệu" in err            # a read-only command creates no database
    assert not (tmp_path / "none.duckdb").exists()
    with connect(tmp_path / "empty.duckdb"):
        pass
    code, _, err = run(capsys, "--db", str(tmp_path / "empty.duckdb"), "report", "--plan", "p", "--period", "2025Q2",
                       "-o", str(tmp_path / "bc.docx"))
    assert code == 1 and "chưa có danh mục chỉ tiêu" in err
    assert not (tmp_path / "bc.docx").exists()


def test_through_python_m_etl(demo_copy, tmp_path):
    """Through a real process, the way batch scripts call it."""
    out = tmp_path / "bc.docx"
    module = "etl"
    proc = subprocess.run([sys.executable, "-m", module, "--db", str(demo_copy), "report", "--plan",
                           "dienbienphu_ct41_2025", "--period", "2025Q2", "-o", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Đã ghi báo cáo" in proc.stdout and out.is_file()
    proc = subprocess.run([sys.executable, "-m", module, "--db", str(demo_copy), "report", "--plan",
                           "dienbienphu_ct41_2025", "--period", "2025"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "Kỳ phải là một quý" in proc.stderr
