"""The one small Streamlit module of the core: shared filters, badges, the cold-start guard.

Pages call these; everything they show comes from ``kpi.views``.
"""

from __future__ import annotations

import contextlib
import html
import runpy
import threading
from pathlib import Path

import streamlit as st

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
    if key not in st.session_state or st.session_state[key] not in options:
        wanted = st.query_params.get(name)
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


@st.cache_data(ttl=600, show_spinner=False)
def _cached(fn_name: str, version: tuple, db: str, **kwargs):
    from kpi import views

    return getattr(views, fn_name)(db, **kwargs)


def load(fn_name: str, **kwargs):
    """``views.<fn_name>(db, **kwargs)``, cached until the database file changes."""
    from kpi import views
    from kpi.store import db_path

    db = str(db_path())
    return _cached(fn_name, views.data_version(db), db, **kwargs)


def clear_cache() -> None:
    _cached.clear()


# Parameters of a page's own, kept in the URL while that page is shown.
PAGE_PARAMS = {"chi_tieu": ("target",)}


def shared_filters(page=None) -> dict | None:
    """Plan, as-of quarter and unit in the sidebar, kept across pages and in the URL."""
    from kpi import views
    from kpi.periods import Period

    try:
        opts = load("filter_options")
    except views.NoDatabase as e:
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
        key = init_filter("asof", p["as_of"], p["default_as_of"])
        st.selectbox("Số liệu đến", p["as_of"], key=key, format_func=lambda q: Period.parse(q).as_of_label())
        key = init_filter("unit", list(p["units"]), next(iter(p["units"])))
        st.selectbox("Đơn vị", list(p["units"]), key=key, format_func=lambda c: f"{p['units'][c]} ({c})")
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
    """Counts by status as cards in the status colours, symbol and label in each."""
    cols = st.columns(len(cards) or 1)
    for col, c in zip(cols, cards):
        with col:
            st.markdown(
                f"<div style='background:{c['color']};color:{c.get('text_color', '#000')};"
                f"border:1px solid #1F2933;border-radius:8px;padding:10px 12px;min-height:92px'>"
                f"<div style='font-size:0.9rem'>{c['symbol']} {html.escape(c['label'])}</div>"
                f"<div style='font-size:2rem;font-weight:700;line-height:1.2'>{c['count']}</div></div>",
                unsafe_allow_html=True)


def plotly(fig, key: str | None = None) -> None:
    """A Plotly chart with its toolbar (the download button) always there."""
    st.plotly_chart(fig, key=key, config={
        "displaylogo": False, "displayModeBar": True,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": key or "bieu-do"},
    })


def text(s: str) -> str:
    """Escape text that came from data before it goes into Markdown or HTML."""
    return html.escape(str(s)).replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")
