"""The one small Streamlit module of the core: sign-in state, pages by role, shared filters, badges,
the cold-start guard.

Pages call these; what they show comes from the core modules named for each page
(``kpi.overview``, ``kpi.detail``, ``kpi.comparison``, ``kpi.plans``, …), through :func:`load`.

Signing in: the session token lives in ``st.session_state[TOKEN_KEY]``, in
the server's memory only (never in the URL, which people share, nor in a
cookie that page scripts could read); so reloading the page asks to sign in
again. Every run checks the session: idleness and the absolute end from
memory, and every ``RECHECK`` against the database too (a disabled account,
a sign-out elsewhere, a changed role take effect within that time). AppTests
sign in by putting a token from ``kpi.accounts.new_session`` into
``at.session_state["auth_token"]`` before ``.run()``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import re
import runpy
import threading
from pathlib import Path

import streamlit as st

from kpi import accounts, navigation, permissions, store
from kpi import filters as filters_data
from kpi.periods import Period
from kpi.progress import MILESTONE_STATUSES, STATUSES

# Query parameters that carry the shared filters, so that a link shows the same view.
FILTER_PARAMS = {"plan": "f_plan", "asof": "f_asof", "unit": "f_unit"}


ENTRY = Path(__file__).resolve().parent.parent / "app.py"
_run = threading.local()


@contextlib.contextmanager
def entry():
    """Wrap the entry file's run, so that pages can tell they were started through it."""
    _run.entry = True
    try:
        yield
    finally:
        _run.entry = False


def cold_start_guard() -> None:
    """Make a first request straight to a page URL run through ``app.py``.

    With a ``pages/`` folder beside the entry file, Streamlit starts every
    server in its old multipage mode: until ``app.py`` has called
    ``st.navigation`` once, a request to ``/chi_tieu`` runs ``pages/chi_tieu.py``
    alone (no page config, a menu of raw file names). A page that finds it
    was not started through ``app.py`` switches that mode off, runs ``app.py``
    in its place (which runs this page through ``st.navigation``, with the
    widgets' state and button clicks of this run intact) and stops.
    """
    if getattr(_run, "entry", False):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    runpy.run_path(str(ENTRY), run_name="__main__")
    st.stop()


def init_filter(name: str, options: list, default):
    """Seed a filter widget's state from the URL once; the widget then owns it."""
    key = FILTER_PARAMS[name]
    wanted = st.query_params.get(name)
    # a link (st.page_link, a shared URL) changed the URL since this session last wrote it: the link wins
    followed = wanted is not None and wanted in options and wanted != st.session_state.get("_url_written", {}).get(name)
    if key not in st.session_state or st.session_state[key] not in options or followed:
        st.session_state[key] = wanted if wanted in options else default
    return key


def sync_query_params(keep: tuple = ()) -> None:
    """Write the current filters into the URL; other parameters go, except those in ``keep``."""
    params = {name: st.session_state[key] for name, key in FILTER_PARAMS.items() if st.session_state.get(key)}
    params.update({k: st.query_params[k] for k in keep if st.query_params.get(k)})
    for k in list(st.query_params.keys()):
        if k not in params:
            del st.query_params[k]
    for k, v in params.items():
        if st.query_params.get(k) != str(v):
            st.query_params[k] = str(v)
    st.session_state["_url_written"] = {k: str(v) for k, v in params.items()}


@st.cache_data(ttl=600, show_spinner=False)
def _cached(_fn, name: str, version: tuple, db: str, **kwargs):
    # ``_fn`` is not hashed (leading underscore); ``name`` tells the functions apart in the cache key.
    return _fn(db, **kwargs)


def load(fn, **kwargs):
    """``fn(db, **kwargs)`` for a page-data function such as ``kpi.overview.overview``, cached until the
    database file changes."""
    db = str(store.db_path())
    return _cached(fn, f"{fn.__module__}.{fn.__qualname__}", store.data_version(db), db, **kwargs)


def clear_cache() -> None:
    _cached.clear()


# Parameters of a page's own, kept in the URL while that page is shown.
PAGE_PARAMS = {"chi_tieu": ("target",)}


def shared_filters(page=None) -> dict | None:
    """Plan, as-of quarter and unit in the sidebar, kept across pages and in the URL."""
    try:
        opts = load(filters_data.filter_options)
    except store.NoDatabase as e:
        st.error(str(e))
        st.stop()
    plans = opts["plans"]
    if not plans:
        st.error("Chưa có kế hoạch nào trong cơ sở dữ liệu.")
        st.stop()
    with st.sidebar:
        st.markdown("### Bộ lọc")
        key = init_filter("plan", list(plans), opts["default_plan"])
        plan_id = st.selectbox("Kế hoạch", list(plans), key=key, format_func=lambda p: plans[p]["label"])
        p = plans[plan_id]
        key = init_filter("unit", list(p["units"]), next(iter(p["units"])))
        unit = st.selectbox("Đơn vị", list(p["units"]), key=key, format_func=lambda c: p["units"][c])
        # the unit's own quarters: a commune that sent a quarter the province has not reached sees it
        quarters = p.get("as_of_by_unit", {}).get(unit, p["as_of"])
        key = init_filter("asof", quarters, p["default_as_of"])
        st.selectbox("Số liệu đến", quarters, key=key, format_func=lambda q: Period.parse(q).as_of_label())
        st.caption("Đường dẫn trên thanh địa chỉ giữ nguyên bộ lọc: gửi cho người khác để xem cùng nội dung.")
    sync_query_params(PAGE_PARAMS.get(getattr(page, "url_path", ""), ()))
    return filters()


def url_filters() -> dict:
    """The filters as query parameters, for links and page switches."""
    return {name: st.session_state[key] for name, key in FILTER_PARAMS.items() if st.session_state.get(key)}


def filters() -> dict:
    """The shared filters as the pages read them."""
    return {name: st.session_state.get(key) for name, key in FILTER_PARAMS.items()}


def badge(status: str, small: bool = False) -> str:
    """HTML for a status: colour, symbol and label (readable in grey print and without colour)."""
    meta = STATUSES.get(status) or MILESTONE_STATUSES[status]
    size = "0.8rem" if small else "0.9rem"
    return (f"<span style='background:{meta['color']};color:{meta.get('text_color', '#000')};"
            f"border:1px solid #1F2933;border-radius:4px;padding:1px 7px;font-size:{size};"
            f"white-space:nowrap'>{meta['symbol']} {html.escape(meta['label'])}</span>")


def status_cards(cards: list[dict]) -> None:
    """Counts by status as cards in the status colours, symbol and label in each (not clickable)."""
    with st.container(key="cards_static"):
        cols = st.columns(len(cards) or 1)
        for col, c in zip(cols, cards):
            with col:
                st.markdown(
                    f"<div style='background:{c['color']};color:{c.get('text_color', '#000')};"
                    f"border:1px solid #1F2933;border-radius:8px;padding:10px 12px;min-height:92px'>"
                    f"<div style='font-size:0.9rem'>{c['symbol']} {html.escape(c['label'])}</div>"
                    f"<div style='font-size:2rem;font-weight:700;line-height:1.2'>{c['count']}</div></div>",
                    unsafe_allow_html=True)


def status_filter_cards(cards: list[dict], key: str) -> str | None:
    """Counts by status as cards that filter: a click shows only that status, a second click shows all.

    Returns the status chosen (``st.session_state[key]``), or None for all. Each card is a button
    styled by its key (``st-key-…``) in the status colour; the chosen one has a thick outline.
    """
    chosen = st.session_state.get(key)

    def pick(status):
        st.session_state[key] = None if st.session_state.get(key) == status else status

    css = []
    with st.container(key=f"{key}_cards"):
        cols = st.columns(len(cards) or 1)
        for col, c in zip(cols, cards):
            bkey = f"{key}_{c['status']}"
            css.append(f".st-key-{bkey} button, .st-key-{bkey} button:hover, .st-key-{bkey} button:focus {{"
                       f" background:{c['color']} !important; color:{c.get('text_color', '#000')} !important;"
                       f" border:{'4px solid #000' if chosen == c['status'] else '1px solid #1F2933'} !important; }}")
            with col:
                st.button(f"{c['symbol']} {c['label']}  \n**{c['count']}**", key=bkey, on_click=pick,
                          args=(c["status"],), width="stretch", disabled=not c["count"],
                          help=("Bấm lần nữa để xem tất cả" if chosen == c["status"] else
                                f"Chỉ xem các chỉ tiêu {c['label'].lower()}"))
    st.html("<style>" + "\n".join(css) + "</style>")
    return chosen


# Layout rules for every page: status cards as tiles (two per row on a phone), lists that stack on a
# phone, the chart toolbar out of the way on a touch screen.
PAGE_CSS = """<style>
div[class*="st-key-"][class*="_cards"] button { min-height: 84px; border-radius: 8px; text-align: left;
  justify-content: flex-start; align-items: flex-start; }
div[class*="st-key-"][class*="_cards"] button p { font-size: 0.9rem; line-height: 1.25; text-align: left; }
div[class*="st-key-"][class*="_cards"] button > div { width: 100%; justify-content: flex-start; }
div[class*="st-key-"][class*="_cards"] button * { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }
div[class*="st-key-"][class*="_cards"] button:disabled { opacity: 0.55; }
div[class*="st-key-"][class*="_cards"] button strong { font-size: 1.9rem; display: inline-block; margin-top: 2px; }
.tl-lbl { display: none; color: #52606D; font-size: 0.8rem; }
.st-key-units_narrow { display: none; }
div[class*="st-key-trow_"] { border-bottom: 1px solid #E4E7EB; padding: 2px 0; }
div[class*="st-key-trow_"] p { margin-bottom: 0; }
div[class*="st-key-trow_"] a, div[class*="st-key-trow_"] a * { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }
div[class*="st-key-trow_"] a p { font-weight: 600; color: #0B5CAD; }
.tl-val { font-size: 0.95rem; }
@media (max-width: 640px) {
  div[class*="_cards"] [data-testid="stHorizontalBlock"] { flex-direction: row !important; flex-wrap: wrap !important;
    gap: 0.5rem !important; }
  div[class*="_cards"] [data-testid="stColumn"] { flex: 1 1 calc(50% - 0.5rem) !important;
    min-width: calc(50% - 0.5rem) !important; width: calc(50% - 0.5rem) !important; }
  div[class*="st-key-trow_"] [data-testid="stHorizontalBlock"] { gap: 0 !important; }
  div[class*="st-key-trow_"] { border: 1px solid #E4E7EB; border-radius: 8px; padding: 6px 10px; margin-bottom: 6px; }
  .tl-lbl { display: inline; }
  .tl-head, div[class*="st-key-thead_"] { display: none !important; }
  .modebar-container { display: none !important; }
  .st-key-units_wide { display: none !important; }
  .st-key-units_narrow { display: block !important; }
}
</style>"""


def page_css() -> None:
    st.html(PAGE_CSS)


def uploader_in_vietnamese(limit_mb: int, types: str) -> None:
    """The file uploader's own English ("Drag and drop…", "200MB per file", "Browse files") in Vietnamese.

    Streamlit has no setting for those words: CSS hides them and writes ours (same size limit as the loaders).
    """
    st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div > * {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "Kéo thả tệp vào đây — tối đa {limit_mb} MB — {types}"; font-size: 0.9rem; }}
[data-testid="stFileUploaderDropzone"] button:not([data-testid="stFileUploaderFile"] button) {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button:not([data-testid="stFileUploaderFile"] button)::after {{
  content: "Chọn tệp"; font-size: 0.9rem; white-space: nowrap; }}
</style>""")


def plotly(fig, key: str | None = None) -> None:
    """A Plotly chart with its toolbar (the download button) always there."""
    st.plotly_chart(fig, key=key, config={
        "displaylogo": False, "displayModeBar": "hover",     # out of the way until the pointer is on the chart
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": key or "bieu-do"},
    })


_MD_INLINE = re.compile(r"([\\`*_\[\]~$|])")
_MD_LINE_START = re.compile(r"(?m)^(\s*)(\d*)([#+=.)-])")


def text(s) -> str:
    r"""Escape text that came from data (names, file names, quotes) before it goes into Markdown or HTML.

    HTML is escaped (``<script>`` shows as text, also where ``unsafe_allow_html`` is on), and so is
    what Markdown or Streamlit would turn into markup: emphasis, code, links and images (``[``),
    ``:color[…]`` directives, ``$`` maths, strikethrough, tables, and headings or lists at a line's start.

    >>> print(text('<img src=x onerror="alert(1)"> **x** [a](javascript:alert(1))'))
    &lt;img src=x onerror=&quot;alert(1)&quot;&gt; \*\*x\*\* \[a\](javascript:alert(1))
    >>> print(text("1. Số 383/KH-UBND"))
    1\. Số 383/KH-UBND
    """
    out = _MD_INLINE.sub(r"\\\1", str(s))
    out = _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2) + "\\" + m.group(3)
                             if m.group(2) or m.group(3) not in ".)" else m.group(0), out)
    return html.escape(out, quote=True)


# --- signing in -------------------------------------------------------------------

TOKEN_KEY = "auth_token"        # the session token (server memory only)
_KEPT = "_auth_kept"            # what this app session knows: actor, last activity, last check, absolute end
_NOTICE = "_auth_notice"        # why the user is on the sign-in page again (shown there once)
RECHECK = dt.timedelta(seconds=60)
SIGN_IN_PAGE = navigation.SIGN_IN.path

# The action a page needs (kpi.permissions.PERMISSIONS); pages not listed need "read".
PAGE_ACTIONS = {"nhap_so_lieu": "upload", "nhat_ky": "read_audit", "tai_khoan": "manage_accounts",
                "xuat_bao_cao": "export"}


def _forget(notice: str | None = None) -> None:
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(_KEPT, None)
    if notice:
        st.session_state[_NOTICE] = notice


def _keep(token: str, info: "accounts.SessionInfo", now: dt.datetime) -> None:
    st.session_state[_KEPT] = {"token": token, "actor": info.actor, "seen": now, "checked": now,
                               "expires": info.expires_at}


def current_actor() -> permissions.Actor | None:
    """The signed-in account, or None; checks the session on every run (see the module's docstring)."""
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        return None
    now = accounts.clock()
    kept = st.session_state.get(_KEPT)
    if kept and kept["token"] != token:
        kept = None
    if kept:
        pol = accounts.load_policy()
        fresh = now - kept["seen"] <= pol.idle and now < kept["expires"]
        if fresh and now - kept["checked"] < RECHECK:
            kept["seen"] = now
            return kept["actor"]
    try:
        info = accounts.check_session(None, token, seen=kept["seen"] if kept else None)
    except accounts.SessionExpired as e:
        _forget(str(e))
        return None
    except store.StoreBusy:
        if kept and fresh:         # the command line holds the file: go on with what we know
            kept["seen"] = now
            return kept["actor"]
        raise
    _keep(token, info, now)
    return info.actor


def sign_in(username: str, password: str) -> str | None:
    """Check the password and start a session; the error message, or None when signed in."""
    try:
        token, info = accounts.open_session(None, username, password)
    except (accounts.AuthError, store.StoreBusy, store.NoDatabase) as e:
        return str(e)
    st.session_state[TOKEN_KEY] = token
    _keep(token, info, accounts.clock())
    st.session_state.pop(_NOTICE, None)
    return None


def sign_out() -> None:
    token = st.session_state.get(TOKEN_KEY)
    if token:
        accounts.close_session(None, token)
    _forget("Đã đăng xuất.")
    if identity_provider() and getattr(st.user, "is_logged_in", False):
        st.logout()


def notice() -> str | None:
    """Why the user is on the sign-in page (session expired, signed out), once."""
    return st.session_state.pop(_NOTICE, None)


def identity_provider() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section (sign-in through ``st.login``)."""
    try:
        return "auth" in st.secrets
    except Exception:   # no secrets file at all
        return False


def sign_in_with_identity_provider() -> str | None:
    """After ``st.login``: open a session for the account with the provider's e-mail; an error message, or None."""
    try:
        token, info = accounts.open_external_session(None, st.user.get("email"))
    except (accounts.AuthError, store.NoDatabase) as e:
        return str(e)
    st.session_state[TOKEN_KEY] = token
    _keep(token, info, accounts.clock())
    return None


def sign_in_pages(pages: list) -> list:
    """The navigation before signing in: the sign-in page, also (hidden) under every other page's URL.

    So a link to ``/chi_tieu?target=…`` shows the sign-in form (not Streamlit's "Page not found"),
    and after signing in the same URL opens the page that was asked for.
    """
    main = st.Page(str(SIGN_IN_PAGE), title="Đăng nhập", icon=":material/login:", default=True)
    return [main] + [st.Page(str(SIGN_IN_PAGE), title="Đăng nhập", url_path=p.url_path, visibility="hidden")
                     for p in pages if p.url_path]


def pages_for(actor: permissions.Actor, pages: list) -> list:
    """The pages ``actor``'s role may open, in the given order."""
    return [p for p in pages if permissions.can(actor, navigation.action_for(p.url_path))]


def require(action: str) -> permissions.Actor:
    """The signed-in actor, if it may do ``action``; otherwise a message and the page stops."""
    actor = current_actor()
    if actor is None:
        st.warning("Vui lòng đăng nhập.")
        st.stop()
    if not permissions.can(actor, action):
        st.error(permissions.denied_message(actor, action))
        st.stop()
    return actor


def account_box(actor: permissions.Actor) -> None:
    """Who is signed in, the role, the units, and the sign-out button (in the sidebar)."""
    with st.sidebar:
        units = f" của {', '.join(sorted(actor.units))}" if actor.units else ""
        st.markdown(f"**{text(actor.display())}**  \n{text(actor.role_label + units)}")
        if st.button("Đăng xuất", key="sign_out", icon=":material/logout:"):
            sign_out()
            st.rerun()
