"""Charts to PNG and SVG with kaleido, which drives Debian's ``chromium``.

    with chart_renderer():        # one headless chromium for the whole batch
        png = to_png(fig)         # 760 px wide at scale 2,5: 1.900 px, 300 dpi across 16 cm of paper
        svg = to_svg(fig)

Outside ``chart_renderer`` every call starts and stops its own browser (about
2 s a chart instead of about 0,2 s). kaleido finds ``chromium`` on PATH (or
``$BROWSER_PATH``); Vietnamese renders with the Noto/DejaVu fonts the setup
installs. The figures come from ``kpi.charts`` and keep their title and
"Nguồn: …" line, which are part of the image.

kaleido's sync server is one browser answering one caller at a time, so a
lock makes batches (and single calls) take turns: two Streamlit sessions
exporting at once wait for each other instead of getting each other's images.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import threading
import time
import warnings
import zipfile

import kaleido
import plotly.graph_objects as go
import plotly.io as pio
from PIL import Image

PRINT_WIDTH = 760     # layout px: chart text of 11–16 px stays 8–11 pt when the image is 16–19 cm wide
PRINT_SCALE = 2.5     # physical px per layout px: 1.900 px wide, 300 dpi at the Word report's 16 cm
TEMPLATE = "plotly_white"

_LOCK = threading.RLock()
_depth = 0


class RenderError(RuntimeError):
    """The charts could not be drawn (no browser, or the browser failed); the message is in Vietnamese."""


@contextlib.contextmanager
def chart_renderer():
    """Keep one headless browser for the images drawn inside; nested uses share it.

    The browser starts in the background (``kaleido.start_sync_server`` returns at once): enter
    this before reading data and the two overlap. After ``warm_up`` the browser stays open between
    batches until it has been idle for the time asked.
    """
    global _depth
    with _LOCK:
        if _depth == 0 and not _warm["on"]:
            kaleido.start_sync_server(silence_warnings=True)
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            _warm["last"] = time.monotonic()
            if _depth == 0 and not _warm["on"]:
                kaleido.stop_sync_server(silence_warnings=True)


_warm = {"on": False, "last": 0.0, "idle": 0.0}


def warm_up(idle_seconds: float = 600) -> None:
    """Start the browser now, in the background, and keep it until ``idle_seconds`` pass without a chart.

    For the app: the export page calls this when it opens, so that the browser is ready (2 to 6 s
    on the 2-core machine) by the time someone presses the button.
    """
    with _LOCK:
        _warm["idle"] = idle_seconds
        _warm["last"] = time.monotonic()
        if _warm["on"]:
            return
        if _depth == 0:
            kaleido.start_sync_server(silence_warnings=True)
        _warm["on"] = True
    threading.Thread(target=_cool_down, daemon=True, name="kaleido-idle").start()


def _cool_down() -> None:
    while True:
        time.sleep(5)
        with _LOCK:
            if _depth == 0 and time.monotonic() - _warm["last"] >= _warm["idle"]:
                kaleido.stop_sync_server(silence_warnings=True)
                _warm["on"] = False
                return


def for_print(fig: go.Figure, width: int = PRINT_WIDTH) -> go.Figure:
    """A copy of ``fig`` sized for paper, with the template set explicitly (never Streamlit's default)."""
    out = go.Figure(fig)
    out.update_layout(template=TEMPLATE, width=width, paper_bgcolor="white", plot_bgcolor="white")
    if out.layout.title.text:
        out.update_layout(title_pad_l=6)    # off the image's left edge
    # labels drawn at the plot's edge (the target's value above its star) would be cut off in print
    out.update_traces(cliponaxis=False, selector=lambda t: t.type in ("scatter", "bar") and t.text is not None)
    _wrap_source(out, max(40, int(width * SOURCE_CHARS_PER_PX)))
    _wrap_y_title(out)
    return out


# The source line starts where the plot does (up to ~260 px in, past long axis labels); at 11 px
# a line of 0,105 characters per px of figure width still ends inside the image.
SOURCE_CHARS_PER_PX = 0.105
SOURCE_LINE_PX = 14


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` at spaces into lines of at most ``width`` characters (a longer word stays whole)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def _wrap_y_title(fig: go.Figure) -> None:
    """A y-axis title longer than the plot is high (the running totals' unit) goes on two or more lines."""
    title = fig.layout.yaxis.title.text
    if not title or "<br>" in title:
        return
    m = fig.layout.margin
    plot_h = (fig.layout.height or 450) - (m.t if m.t is not None else 100) - (m.b if m.b is not None else 80)
    size = fig.layout.yaxis.title.font.size or fig.layout.font.size or 12
    fits = int(plot_h / (0.6 * size))            # characters one line can hold along the axis
    if fits > 8 and len(title) > fits:
        fig.layout.yaxis.title.text = "<br>".join(wrap(title, fits))


def _wrap_source(fig: go.Figure, width: int) -> None:
    """Put the "Nguồn: …" line on as many lines as it needs, growing the bottom margin to keep the plot's size."""
    for ann in fig.layout.annotations:
        text = ann.text or ""
        if not text.startswith("Nguồn:") or "<br>" in text:
            continue
        lines = wrap(text, width)
        extra = SOURCE_LINE_PX * (len(lines) - 1)
        if not extra:
            continue
        ann.text = "<br>".join(lines)
        ann.align = "left"
        ann.yshift = (ann.yshift or 0) - extra
        margin_b = fig.layout.margin.b if fig.layout.margin.b is not None else 80
        fig.update_layout(margin_b=margin_b + extra, height=(fig.layout.height or 450) + extra)


def _image(fig: go.Figure, fmt: str, scale: float, width: int) -> bytes:
    with _LOCK:
        try:
            with warnings.catch_warnings():     # plotly passes options a running server ignores, and says so
                warnings.filterwarnings("ignore", message="The kopts argument is ignored", category=UserWarning)
                return pio.to_image(for_print(fig, width), format=fmt, scale=scale)
        except RuntimeError as e:
            if "chrom" in str(e).lower():
                raise RenderError("Không tìm thấy trình duyệt để vẽ biểu đồ: cài chromium "
                                  "(scripts/setup-system.sh) hoặc đặt biến BROWSER_PATH.") from e
            raise RenderError(f"Không vẽ được biểu đồ: {e}") from e


def to_png(fig: go.Figure, scale: float = PRINT_SCALE, width: int = PRINT_WIDTH) -> bytes:
    return _image(fig, "png", scale, width)


def to_svg(fig: go.Figure, width: int = PRINT_WIDTH) -> bytes:
    return _image(fig, "svg", 1, width)


def render(figures: dict[str, go.Figure], formats=("png", "svg"), progress=None,
           scale: float = PRINT_SCALE) -> dict[str, bytes]:
    """``{"01_trang-thai": fig}`` → ``{"01_trang-thai.png": b"…", "01_trang-thai.svg": b"…"}``, in one batch.

    ``progress(done, total, name)`` is called before each image and once at the end.
    """
    out, total = {}, len(figures) * len(formats)
    with chart_renderer():
        for stem, fig in figures.items():
            for fmt in formats:
                if progress:
                    progress(len(out), total, f"{stem}.{fmt}")
                out[f"{stem}.{fmt}"] = to_png(fig, scale) if fmt == "png" else to_svg(fig)
    if progress:
        progress(total, total, "")
    return out


def render_pngs(figures: dict[str, go.Figure], progress=None, scale: float = PRINT_SCALE,
                compact: bool = False) -> dict[str, bytes]:
    """``{key: fig}`` → ``{key: PNG}``, one after the other in one browser.

    Two browser tabs drawing at once were slower, not faster, on the 2-core machine (11 charts:
    12,1 and 11,6 s one at a time, 14,7 and 16,4 s with two tabs; bench/report_speed.py). What
    helps is starting the browser early: enter ``chart_renderer()`` before reading the data, and
    the browser starts while the data is read (``kaleido.start_sync_server`` does not wait).
    ``progress(done, total, key)`` is called before each image and once at the end. ``compact``:
    the 256-colour PNGs of the Word file (``compact_png``), made while the next chart is drawn.
    """
    out = {}
    with chart_renderer(), concurrent.futures.ThreadPoolExecutor(1) as pool:
        for i, (k, fig) in enumerate(figures.items()):
            if progress:
                progress(i, len(figures), k)
            png = to_png(fig, scale)
            # compacted on a second thread while the browser draws the next chart
            out[k] = pool.submit(compact_png, png) if compact else png
        out = {k: v.result() if compact else v for k, v in out.items()}
    if progress and figures:
        progress(len(figures), len(figures), "")
    return out


def compact_png(png: bytes) -> bytes:
    """The same chart in 256 colours (about a quarter of the bytes; charts have few colours).

    For the Word file, which carries dozens of charts: 28 charts made a 4,5 MB
    report, 1,3 MB compacted. Near-white stays pure white, so no grey box shows
    on the page. The zip keeps the full-colour PNGs.
    """
    if png[:8] == b"\x89PNG\r\n\x1a\n" and png[25] == 3:     # IHDR colour type 3: already a palette image
        return png
    img = Image.open(io.BytesIO(png)).convert("RGB")
    q = img.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    palette = q.getpalette()
    for i in range(0, len(palette), 3):
        if min(palette[i:i + 3]) >= 250:
            palette[i:i + 3] = [255, 255, 255]
    q.putpalette(palette)
    buf = io.BytesIO()
    q.save(buf, format="PNG", dpi=(300, 300))
    return buf.getvalue()


def zip_files(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()
