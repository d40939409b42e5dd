"""Send the reminders ``kpi.reminders`` picks, through the SMTP server the settings name.

Settings (environment):

| setting | default | meaning |
|---|---|---|
| ``CHITIEU_SMTP_HOST`` | (none: required to send) | the mail server |
| ``CHITIEU_SMTP_PORT`` | 587 (``starttls``), 465 (``ssl``), 25 (``none``) | its port |
| ``CHITIEU_SMTP_TLS`` | ``starttls`` | ``starttls``, ``ssl`` (TLS from the first byte) or ``none`` |
| ``CHITIEU_SMTP_USER`` / ``CHITIEU_SMTP_PASSWORD`` | (none: no login) | login (AUTH), only over TLS unless ``CHITIEU_SMTP_TLS=none`` |
| ``CHITIEU_SMTP_FROM`` | (none: required) | the sender address |
| ``CHITIEU_SMTP_CAFILE`` | the system's | a CA bundle to trust as well (a server with a private CA) |
| ``CHITIEU_SMTP_TIMEOUT`` | 30 | seconds |

Each letter is sent on its own: a failure is reported (and audited as
``reminder_failed``) and the others still go; each letter sent is audited as
``reminder``.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kpi import audit, settings
from kpi.permissions import Actor


class SmtpSettingsError(ValueError):
    """A missing or wrong CHITIEU_SMTP_* setting (message in Vietnamese)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env=None) -> "SmtpSettings":
        """From the CHITIEU_SMTP_* settings (``kpi.settings``; ``env`` instead of the environment in tests)."""
        def get(name):
            v = settings.get(name, environ=env)
            return v.strip() if isinstance(v, str) else v

        host, sender = get("CHITIEU_SMTP_HOST") or "", get("CHITIEU_SMTP_FROM") or ""
        tls = (get("CHITIEU_SMTP_TLS") or "starttls").lower()
        if not host:
            raise SmtpSettingsError("Chưa đặt máy chủ thư: CHITIEU_SMTP_HOST")
        if not sender:
            raise SmtpSettingsError("Chưa đặt địa chỉ người gửi: CHITIEU_SMTP_FROM")
        if tls not in ("starttls", "ssl", "none"):
            raise SmtpSettingsError(f"CHITIEU_SMTP_TLS='{tls}' không hợp lệ: starttls, ssl hoặc none")
        port_text = get("CHITIEU_SMTP_PORT") or {"starttls": "587", "ssl": "465", "none": "25"}[tls]
        try:
            port, timeout = int(port_text), float(get("CHITIEU_SMTP_TIMEOUT"))
        except ValueError:
            raise SmtpSettingsError(f"CHITIEU_SMTP_PORT / CHITIEU_SMTP_TIMEOUT phải là số (có: '{port_text}')") from None
        user, password = get("CHITIEU_SMTP_USER") or None, settings.get("CHITIEU_SMTP_PASSWORD", environ=env) or None
        if bool(user) != bool(password):
            raise SmtpSettingsError("CHITIEU_SMTP_USER và CHITIEU_SMTP_PASSWORD phải đặt cùng nhau")
        return cls(host=host, port=port, tls=tls, sender=sender, user=user, password=password,
                   cafile=get("CHITIEU_SMTP_CAFILE") or None, timeout=timeout)

    def context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if self.cafile:
            ctx.load_verify_locations(cafile=self.cafile)
        return ctx


def _connect(s: SmtpSettings) -> smtplib.SMTP:
    if s.tls == "ssl":
        smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=s.context())
    else:
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.tls == "starttls":
            smtp.starttls(context=s.context())
    if s.user:
        _login(smtp, s.user, s.password)
    return smtp


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """One AUTH attempt, PLAIN if offered, else LOGIN (``smtplib.login`` tries each mechanism in
    turn with the same password: a wrong one then counts twice towards a server's lockout)."""
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("Máy chủ thư không hỗ trợ đăng nhập (AUTH)")
    offered = smtp.esmtp_features["auth"].upper().split()
    mech = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
    if mech is None:
        raise smtplib.SMTPException(f"Máy chủ thư chỉ nhận cách đăng nhập: {' '.join(offered)}")
    smtp.user, smtp.password = user, password
    code, resp = smtp.auth(mech, getattr(smtp, f"auth_{mech.lower()}"))
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def message(s: SmtpSettings, to: list[str], letter: dict) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = s.sender, ", ".join(to), letter["subject"]
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain="chitieu")
    msg.set_content(letter["body"], charset="utf-8")
    return msg


@dataclass
class Outcome:
    sent: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    no_recipient: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.no_recipient

    def to_dict(self) -> dict:
        return {"ok": self.ok, "sent": self.sent, "failed": self.failed, "no_recipient": self.no_recipient}


def send_reminders(con, items: list[dict], letters: list[dict], *, settings: SmtpSettings | None,
                   actor: Actor, dry_run: bool = False) -> Outcome:
    """Send ``letters[i]`` for ``items[i]``; audit each letter sent or failed. Dry run: nothing sent or audited."""
    out = Outcome()
    smtp = None
    try:
        for item, letter in zip(items, letters):
            what = f"{item['plan']}/{item['obligation']} {item['reporter']} {item['period']}"
            entry = {"what": what, "to": item["recipients"], "subject": letter["subject"],
                     "due": item["due"].isoformat() if item["due"] else None}
            if not item["recipients"]:
                out.no_recipient.append(entry)
                continue
            if dry_run:
                out.sent.append(entry)
                continue
            try:
                if smtp is None:
                    smtp = _connect(settings)
                refused = smtp.send_message(message(settings, item["recipients"], letter))
                if refused:
                    raise smtplib.SMTPRecipientsRefused(refused)
            except (smtplib.SMTPException, OSError, ssl.SSLError) as e:
                entry["error"] = f"{type(e).__name__}: {e}"
                out.failed.append(entry)
                audit.record(con, actor, "reminder_failed", what, after=entry, detail=entry["error"])
                if smtp is not None and not isinstance(e, smtplib.SMTPRecipientsRefused):
                    _quit(smtp)
                    smtp = None   # reconnect for the next letter
                continue
            out.sent.append(entry)
            audit.record(con, actor, "reminder", what, after=entry, detail=letter["subject"])
    finally:
        if smtp is not None:
            _quit(smtp)
    return out


def _quit(smtp) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass


def today() -> dt.date:
    return dt.date.today()
