"""Reminders end to end: ``python -m etl remind`` against a real SMTP server (aiosmtpd) on 127.0.0.1.

The server speaks STARTTLS with a self-signed certificate made here by openssl, and asks for a login;
the test reads what arrived.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from etl.cli import main
from etl.remind import SmtpSettings, SmtpSettingsError
from kpi.store import connect, scalar
from tests.conftest import MINI_PLAN, write_catalog
from tests.unit.accounts_kit import make_user

OB = """
obligations:
  - id: quarterly_return
    title: Báo cáo quý
    reporters: [{level: district, parent: "11"}]
    to: "11_ubnd"
    via: "11_so_noi_vu"
    what: return
    frequency: quarterly
    due: {days_after: 15}
    quote: "Báo cáo quý"
"""
ARGS = ["remind", "--plan", "mini_2021_2025", "--period", "2025Q2"]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
                   check=True, capture_output=True)
    return d / "cert.pem", d / "key.pem"


@pytest.fixture
def smtp(cert, request):
    tls = getattr(request, "param", True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*cert)
    logins = []

    def authenticator(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"chitieu", b"mat-khau-thu")
        logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)   # handled=False: the server answers 535 itself

    inbox = Inbox()
    port = free_port()
    kw = dict(tls_context=ctx, require_starttls=True) if tls else dict(auth_require_tls=False)
    ctl = Controller(inbox, hostname="127.0.0.1", port=port, auth_required=True, authenticator=authenticator, **kw)
    ctl.start()
    try:
        yield inbox, port, logins
    finally:
        ctl.stop()


@pytest.fixture
def db(db_file, tmp_path):
    d = write_catalog(tmp_path / "targets", plans={"mini_2021_2025": MINI_PLAN + OB})
    assert main(["init", "--targets", str(d)]) == 0
    make_user(db_file, "tuangiao", "reporter", units=("099",), email="tuangiao@dienbien.gov.vn")
    make_user(db_file, "muongnhe", "reporter", units=("096",), email="muongnhe@dienbien.gov.vn")
    return db_file


def env(monkeypatch, port, cert, **over):
    settings = {"CHITIEU_SMTP_HOST": "127.0.0.1", "CHITIEU_SMTP_PORT": str(port), "CHITIEU_SMTP_TLS": "starttls",
                "CHITIEU_SMTP_USER": "chitieu", "CHITIEU_SMTP_PASSWORD": "mat-khau-thu",
                "CHITIEU_SMTP_FROM": "chitieu@dienbien.gov.vn", "CHITIEU_SMTP_CAFILE": str(cert[0]),
                "CHITIEU_APP_URL": "https://chitieu.dienbien.gov.vn", **over}
    for k, v in settings.items():
        monkeypatch.setenv(k, v)


def test_reminders_arrive_in_vietnamese_over_starttls_with_login(db, smtp, cert, monkeypatch, capsys):
    inbox, port, logins = smtp
    env(monkeypatch, port, cert)
    # 13/07/2025: the 2025Q2 return is due on 15/07, two days away
    assert main([*ARGS, "--days-before", "3", "--on", "2025-07-13"]) == 1   # 8 districts have no e-mail: reported
    out = capsys.readouterr().out
    assert "Đã gửi 2 thư nhắc; 0 thư lỗi; 8 đơn vị không có e-mail." in out
    assert logins and all(ok for _m, ok in logins)
    got = {tuple(to): msg for to, msg in inbox.messages}
    msg = got[("tuangiao@dienbien.gov.vn",)]
    assert msg["Subject"] == "[chitieu] Còn 2 ngày: Báo cáo quý — Huyện Tuần Giáo, Quý II/2025"
    body = msg.get_content()
    assert "Hạn nộp: 15/07/2025" in body and "Gửi: Ủy ban nhân dân tỉnh Điện Biên (qua Sở Nội vụ tỉnh Điện Biên)" in body
    assert "https://chitieu.dienbien.gov.vn/nhap_so_lieu" in body
    with connect(db) as con:
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'reminder'") == 2


def test_too_early_nothing_is_sent(db, smtp, cert, monkeypatch, capsys):
    inbox, port, _ = smtp
    env(monkeypatch, port, cert)
    main([*ARGS, "--days-before", "3", "--on", "2025-07-01"])
    assert inbox.messages == []
    assert "Đã gửi 0 thư nhắc" in capsys.readouterr().out


def test_late_ones_are_reminded_and_a_dry_run_sends_nothing(db, smtp, cert, monkeypatch, capsys):
    inbox, port, _ = smtp
    env(monkeypatch, port, cert)
    assert main([*ARGS, "--on", "2025-07-20", "--dry-run"]) == 1
    assert "Sẽ gửi (chạy thử, không gửi) 2 thư nhắc" in capsys.readouterr().out
    assert inbox.messages == []
    main([*ARGS, "--on", "2025-07-20"])
    subjects = sorted(m["Subject"] for _to, m in inbox.messages)
    assert subjects[0] == "[chitieu] Quá hạn 5 ngày: Báo cáo quý — Huyện Mường Nhé, Quý II/2025"


def test_a_wrong_password_is_reported_and_audited_never_silent(db, smtp, cert, monkeypatch, capsys):
    inbox, port, logins = smtp
    env(monkeypatch, port, cert, CHITIEU_SMTP_PASSWORD="sai")
    assert main([*ARGS, "--on", "2025-07-20"]) == 1
    out = capsys.readouterr().out
    assert "0 thư nhắc; 2 thư lỗi" in out and "SMTPAuthenticationError" in out
    assert inbox.messages == []
    assert [ok for _m, ok in logins] == [False, False]   # one attempt per letter, not one per mechanism
    with connect(db) as con:
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'reminder_failed'") == 2


def test_an_untrusted_certificate_is_refused(db, smtp, cert, monkeypatch, capsys):
    _inbox, port, _ = smtp
    env(monkeypatch, port, cert)
    monkeypatch.delenv("CHITIEU_SMTP_CAFILE")
    assert main([*ARGS, "--on", "2025-07-20"]) == 1
    assert "SSLCertVerificationError" in capsys.readouterr().out


def test_no_server_is_a_failure(db, monkeypatch, capsys, cert):
    env(monkeypatch, free_port(), cert)
    assert main([*ARGS, "--on", "2025-07-20"]) == 1
    assert "2 thư lỗi" in capsys.readouterr().out


@pytest.mark.parametrize("over, message", [
    ({"CHITIEU_SMTP_HOST": ""}, "CHITIEU_SMTP_HOST"),
    ({"CHITIEU_SMTP_TLS": "maybe"}, "CHITIEU_SMTP_TLS='maybe' không hợp lệ"),
    ({"CHITIEU_SMTP_PASSWORD": ""}, "phải đặt cùng nhau"),
])
def test_settings_errors(over, message):
    base = {"CHITIEU_SMTP_HOST": "mail", "CHITIEU_SMTP_FROM": "a@b", "CHITIEU_SMTP_USER": "u",
            "CHITIEU_SMTP_PASSWORD": "p"}
    with pytest.raises(SmtpSettingsError, match=message):
        SmtpSettings.from_env({**base, **over})


def test_bad_settings_stop_the_command_with_usage_error(db, monkeypatch, capsys):
    monkeypatch.delenv("CHITIEU_SMTP_HOST", raising=False)
    assert main([*ARGS]) == 2
    assert "CHITIEU_SMTP_HOST" in capsys.readouterr().err


@pytest.mark.parametrize("smtp", [False], indirect=True)
def test_plain_text_with_login_when_tls_is_none(db, smtp, cert, monkeypatch):
    inbox, port, logins = smtp
    env(monkeypatch, port, cert, CHITIEU_SMTP_TLS="none")
    main([*ARGS, "--on", "2025-07-20"])
    assert len(inbox.messages) == 2 and [ok for _m, ok in logins] == [True]   # one login, both letters
