"""A return in a department's own layout, made by code (see tests/unit/test_foreign_return.py)."""

from __future__ import annotations

import io

import openpyxl


def foreign_return(jobs_plan="8.500") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BC quy II"
    rows = [
        ["UBND TỈNH ĐIỆN BIÊN", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["SỞ TÀI CHÍNH", None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [],
        ["BÁO CÁO TÌNH HÌNH THỰC HIỆN CÁC CHỈ TIÊU KINH TẾ - XÃ HỘI QUÝ II NĂM 2025"],
        ["(Kèm theo Báo cáo số 125/BC-STC ngày 05/7/2025)"],
        [],
        ["STT", "Chỉ tiêu", "ĐVT", "Kế hoạch năm 2025", "Thực hiện", None, "Ước thực hiện cả năm", "Ghi chú"],
        [None, None, None, None, "Quý II/2025", "Lũy kế 6 tháng", None, None],
        ["A", "CHỈ TIÊU KINH TẾ"],
        [1, "Tốc độ tăng trưởng kinh tế (GRDP)", "%", "7,5", "6,8", None, "7,2",
         "Quý II so với cùng kỳ năm trước"],
        [2, "Thu ngân sách nhà nước trên địa bàn", "Tỷ đồng", "2.000", "520,5", "980", "2.050", None],
        ["B", "CHỈ TIÊU XÃ HỘI"],
        [1, "Tỷ lệ hộ nghèo (theo chuẩn nghèo đa chiều)", "%", "<16", None, "21,5", "20,0", None],
        [2, "Tạo việc làm mới", "Lao động", jobs_plan, "2.150", "4.300", "9.100", None],
        [],
        [None, "NGƯỜI LẬP BIỂU", None, None, None, "GIÁM ĐỐC"],
    ]
    for r in rows:
        ws.append(r)
    for rng in ("A4:H4", "A5:H5", "E7:F7", "A7:A8", "B7:B8", "C7:C8", "D7:D8", "G7:G8", "H7:H8"):
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
