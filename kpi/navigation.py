"""The app's pages, in menu order, and the action (``kpi.permissions``) a role needs to open each.

One table: ``app.py`` builds the menu from it, ``kpi.ui`` filters it by role,
and the tests walk it (every page runs, every file exists).

>>> [p.url_path for p in PAGES if p.action == "read"][:3]
['tong_quan', 'chi_tieu', 'don_vi']
>>> action_for("tai_khoan")
'manage_accounts'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    file: str            # relative to the repository
    title: str
    icon: str
    action: str = "read"
    default: bool = False

    @property
    def url_path(self) -> str:
        return Path(self.file).stem

    @property
    def path(self) -> Path:
        return ROOT / self.file


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/tong_quan.py", "Tổng quan", ":material/dashboard:", default=True),
    PageSpec("pages/chi_tieu.py", "Chỉ tiêu", ":material/show_chart:"),
    PageSpec("pages/don_vi.py", "Đơn vị", ":material/groups:"),
    PageSpec("pages/ke_hoach.py", "Kế hoạch", ":material/description:"),
    PageSpec("pages/nhap_so_lieu.py", "Nhập số liệu", ":material/upload_file:", action="upload"),
    PageSpec("pages/hop_nhan.py", "Hộp nhận", ":material/inbox:", action="review"),
    PageSpec("pages/xuat_bao_cao.py", "Xuất báo cáo", ":material/download:", action="export"),
    PageSpec("pages/them_ke_hoach.py", "Thêm kế hoạch", ":material/note_add:", action="edit_targets"),
    PageSpec("pages/nhat_ky.py", "Nhật ký", ":material/history:", action="read_audit"),
    PageSpec("pages/tai_khoan.py", "Tài khoản", ":material/manage_accounts:", action="manage_accounts"),
)
SIGN_IN = PageSpec("pages/dang_nhap.py", "Đăng nhập", ":material/login:", default=True)


def action_for(url_path: str) -> str:
    """The action a page needs; "read" for a page not in the table."""
    return next((p.action for p in PAGES if p.url_path == url_path), "read")
