"""How well ``kpi.drafting`` reads the plans we catalogued by hand, beside a naive reader.

    .venv/bin/python bench/drafts.py [--plan dienbien_2021_2025] [--misses]

For seeds 002 (``dienbien_2021_2025``) and 004 (``bentre_2024_2025``) the drafter
reads the plan's text (``targets/sources/…``) knowing nothing but the text and the
indicator catalogue (the plan's period comes from its title), and each draft is
held against the hand-written targets:

- **value found with its sentence**: a draft whose quote overlaps the target's
  quote in the text (whitespace squashed) and whose number is the target's
  (``value``, or ``low`` and ``high``; the number written, converted to the
  catalogue indicator's unit, also counts). A ``relative`` target has no
  number: a ``relative`` draft overlapping its quote finds it. One draft may
  find two targets the catalogue split from one number ("mức độ 3" for
  primary and lower secondary).
- **recall** = targets found / targets; **precision** = drafts that find a
  target / drafts (a draft elsewhere in the text, e.g. a count in the
  organisation section, lowers it).
- **kinds, comparisons, years, indicators right**: among the targets found,
  the best draft's ``kind``; ``cmp`` (None where the kind has none); ``start``
  and ``end`` (the catalogue's defaults filled in); the suggested indicator.
  Also given over all targets (a target not found counts as wrong).

The naive reader takes every number of the text outside dates as a target,
``level_min``, ``>=``, over the plan's period, in its sentence.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpi.catalog import TARGETS_DIR, load_catalog  # noqa: E402
from kpi.drafting import convert, detect_period, draft_text, parse_number, squash  # noqa: E402

PLANS = ("dienbien_2021_2025", "bentre_2024_2025")


def spans(haystack: str, needle: str) -> list[tuple[int, int]]:
    needle = squash(needle)
    out, i = [], haystack.find(needle)
    while needle and i >= 0:
        out.append((i, i + len(needle)))
        i = haystack.find(needle, i + 1)
    return out


def overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def close(x, y) -> bool:
    return x is not None and y is not None and abs(float(x) - float(y)) < 1e-6


def value_matches(d: dict, t, unit: str) -> bool:
    if t.kind == "relative":
        return d["kind"] == "relative"
    written = None
    if d.get("value_written"):
        try:
            written = convert(parse_number(d["value_written"]), d.get("unit_written") or unit, unit)
        except ValueError:
            written = None
    if t.kind == "range":
        return close(d.get("low"), t.low) and close(d.get("high"), t.high)
    # the signed value, or the number as written in the indicator's unit (a fall written "giảm 2,97")
    return close(d.get("value"), t.value) or close(written, abs(t.value))


def naive(text: str, period: tuple[int, int]) -> list[dict]:
    """Every number outside a date, a year or a document number, in its sentence."""
    out = []
    for sentence in re.split(r"(?<=[.;])\s+", text):
        masked = re.sub(r"\d+\s*/\s*\d+(?:\s*/\s*\d+)?|\b(?:19|20)\d{2}\b|\d+[-/][A-ZĐ]\S*", lambda m: "#" * len(m.group(0)), sentence)
        for m in re.finditer(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?", masked):
            out.append({"quote": sentence, "kind": "level_min", "cmp": ">=", "value": parse_number(m.group(0)),
                        "low": None, "high": None, "start": period[0], "end": period[1],
                        "value_written": m.group(0), "unit_written": "", "indicator": None})
    return out


def score(plan, drafts: list[dict], text: str, cat) -> dict:
    flat = squash(text)
    dspans = [spans(flat, d["quote"]) for d in drafts]
    used: set[int] = set()
    rows = []
    for t in plan.targets:
        tsp = spans(flat, t.quote)
        unit = cat.indicators[t.indicator].unit
        cands = [i for i, d in enumerate(drafts) if overlap(tsp, dspans[i]) and value_matches(d, t, unit)]
        # the best candidate: the right kind first, then the right comparison
        cands.sort(key=lambda i: (drafts[i]["kind"] != t.kind, drafts[i].get("cmp") != t.cmp))
        best = drafts[cands[0]] if cands else None
        used.update(cands[:1])
        rows.append((t, best))
    n = len(rows)
    found = [(t, d) for t, d in rows if d]
    right = {
        "kind": sum(d["kind"] == t.kind for t, d in found),
        "cmp": sum(d.get("cmp") == t.cmp for t, d in found),
        "years": sum((d.get("start"), d.get("end")) == (t.start, t.end) for t, d in found),
        "indicator": sum(d.get("indicator") == t.indicator for t, d in found),
    }
    # precision: drafts that find some target (not only the one chosen as best)
    good = 0
    for i, d in enumerate(drafts):
        for t in plan.targets:
            if overlap(spans(flat, t.quote), dspans[i]) and value_matches(d, t, cat.indicators[t.indicator].unit):
                good += 1
                break
    return {"targets": n, "found": len(found), "drafts": len(drafts), "good_drafts": good,
            "right": right, "rows": rows}


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "   –"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plan", action="append", help="one plan (repeat); default: seeds 002 and 004")
    ap.add_argument("--misses", action="store_true", help="list every target not found or read wrong")
    args = ap.parse_args()
    cat = load_catalog()
    totals = {"drafter": {}, "naive": {}}
    for pid in args.plan or PLANS:
        plan = cat.plan(pid)
        text = (TARGETS_DIR / plan.source).read_text(encoding="utf-8")
        period = detect_period(text)
        t0 = time.perf_counter()
        out = draft_text(text, cat.indicators)
        secs = time.perf_counter() - t0
        verbatim = sum(squash(d["quote"]) in squash(text) for d in out["drafts"])
        results = {"drafter": score(plan, out["drafts"], text, cat),
                   "naive": score(plan, naive(text, period or (plan.start, plan.end)), text, cat)}
        print(f"\n{pid}: {len(plan.targets)} chỉ tiêu trong danh mục; kỳ đọc từ văn bản {period}; "
              f"{len(out['drafts'])} bản nháp, {len(out['milestones'])} mốc, {len(out['obligations'])} nghĩa vụ "
              f"trong {secs * 1000:.0f} ms; trích dẫn đúng nguyên văn: {verbatim}/{len(out['drafts'])}")
        for who, r in results.items():
            for k in ("targets", "found", "drafts", "good_drafts"):
                totals[who][k] = totals[who].get(k, 0) + r[k]
            for k, v in r["right"].items():
                totals[who].setdefault("right", {})[k] = totals[who].get("right", {}).get(k, 0) + v
            _print(who, r)
        if args.misses:
            for t, d in results["drafter"]["rows"]:
                if d is None:
                    print(f"    KHÔNG THẤY {t.id} [{t.kind} {t.cmp} {t.value}{'' if t.low is None else f' {t.low}-{t.high}'}]: {t.quote[:80]}")
                else:
                    wrong = [f"{k}: {d.get(k)!r} ≠ {getattr(t, k)!r}" for k in ("kind", "cmp", "start", "end", "indicator")
                             if d.get(k) != getattr(t, k)]
                    if wrong:
                        print(f"    SAI {t.id}: {'; '.join(wrong)}")
    print("\nMốc thời hạn (mọi kế hoạch trong danh mục; mốc tìm thấy = câu trùng, đúng hạn = cùng ngày):")
    mt = mf = md = mdr = mm = 0
    for plan in cat.plans.values():
        if not plan.milestones:
            continue
        text = (TARGETS_DIR / plan.source).read_text(encoding="utf-8")
        flat = squash(text)
        drafted = draft_text(text, cat.indicators)["milestones"]
        found = dated = 0
        for m in plan.milestones:
            near = [d for d in drafted if overlap(spans(flat, m.quote), spans(flat, d["quote"]))]
            found += bool(near)
            dated += any(d["deadline"] == m.deadline.isoformat() for d in near)
        matched = sum(any(overlap(spans(flat, d["quote"]), spans(flat, m.quote)) for m in plan.milestones)
                      for d in drafted)
        mt, mf, md = mt + len(plan.milestones), mf + found, md + dated
        mdr, mm = mdr + len(drafted), mm + matched
        print(f"  {plan.id}: {len(plan.milestones)} mốc; thấy câu {pct(found, len(plan.milestones))}, "
              f"đúng hạn {pct(dated, len(plan.milestones))}; mốc nháp trùng câu một mốc: {pct(matched, len(drafted))}")
    print(f"  tổng: thấy câu {pct(mf, mt)}, đúng hạn {pct(md, mt)}; mốc nháp trùng câu một mốc {pct(mm, mdr)}")
    print("\nTổng hai kế hoạch (chỉ tiêu):")
    for who in ("drafter", "naive"):
        _print(who, totals[who])
    return 0


def _print(who: str, r: dict) -> None:
    label = "kpi.drafting" if who == "drafter" else "naive      "
    n, f = r["targets"], r["found"]
    rt = r["right"]
    print(f"  {label} values: recall {pct(f, n)}, precision {pct(r['good_drafts'], r['drafts'])}")
    print(f"  {' ' * len(label)} right among found / among all: kinds {pct(rt['kind'], f)} / {pct(rt['kind'], n)}; "
          f"cmp {pct(rt['cmp'], f)} / {pct(rt['cmp'], n)}; years {pct(rt['years'], f)} / {pct(rt['years'], n)}; "
          f"indicator {pct(rt['indicator'], f)} / {pct(rt['indicator'], n)}")


if __name__ == "__main__":
    raise SystemExit(main())
