"""The target kinds: one table that the catalogue, its schema, the method, the unit rule, the charts and the demo
read, instead of lists kept in step by hand.

Adding a kind touches three places: a row here (its catalogue entry: label, fields, comparisons and how it
behaves), its rule in ``kpi/progress.py`` (``_RULES``) and its wording in ``kpi/texts.py`` (``target_text``).
``targets/schema.json`` lists the kinds for editors; the catalogue loader validates against this table and a
test fails when the file and the table disagree, or when a kind has no rule, no wording or no worked example.

>>> KINDS["range"].label, KINDS["range"].required, KINDS["range"].every_year
('Khoảng mỗi năm', ('low', 'high'), True)
>>> [k for k, v in KINDS.items() if v.chart == "per_year"]
['range', 'yearly', 'relative', 'step']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    id: str
    label: str                          # Vietnamese, on the pages
    required: tuple[str, ...]           # fields a target of this kind must have (besides id, indicator, quote)
    cmp: tuple[str, ...] | None = None  # the comparisons it accepts (None: any)
    every_year: bool = False            # each year must meet it: one failed year loses the period (issue 10)
    scales_with_unit: bool = False      # an amount: a unit's share of it follows its weight (kpi.assess.unit_target)
    chart: str = "level"                # level | per_year | total | growth: which chart of kpi.charts draws it
    demo: str = "level"                 # level | step | total: how etl/demo.py makes figures for it
    example: str = ""                   # a plan's words, for docs and README


TABLE: tuple[Kind, ...] = (
    Kind("level_min", "Mức tối thiểu", ("cmp", "value"), (">=", ">"), scales_with_unit=True,
         example="GRDP bình quân đầu người trên 52 triệu đồng"),
    Kind("level_max", "Mức tối đa", ("cmp", "value"), ("<=", "<"), scales_with_unit=True,
         example="tỷ lệ hộ nghèo dưới 16%"),
    Kind("avg_growth", "Tăng bình quân/năm", ("cmp", "value"), chart="growth", demo="total",
         example="GRDP tăng bình quân 7,16%/năm"),
    Kind("range", "Khoảng mỗi năm", ("low", "high"), every_year=True, scales_with_unit=True, chart="per_year",
         demo="per_year", example="giá trị sản xuất công nghiệp tăng 10-12%/năm"),
    Kind("yearly", "Hằng năm", ("cmp", "value"), every_year=True, scales_with_unit=True, chart="per_year",
         demo="per_year", example="tạo việc làm mới cho 9.000 lao động/năm"),
    Kind("sum", "Tổng giai đoạn", ("cmp", "value"), scales_with_unit=True, chart="total", demo="total",
         example="tổng vốn đầu tư 2021-2025 khoảng 95 nghìn tỷ đồng"),
    Kind("change", "Thay đổi mỗi năm", ("cmp", "value"), scales_with_unit=True, chart="growth", demo="total",
         example="tỷ lệ hộ nghèo bình quân giảm 2,97 điểm %/năm"),
    Kind("share", "Tỷ trọng", ("value",), demo="share", example="nông, lâm nghiệp chiếm 16,42%, giảm 2,34% so với năm 2020"),
    Kind("relative", "So với mức chuẩn", ("cmp", "benchmark"), chart="per_year", demo="total",
         example="tăng trưởng GRDP cao hơn mức bình quân cả nước"),
    Kind("count", "Số đơn vị đạt chuẩn", ("cmp", "value"), (">=", ">"), scales_with_unit=True,
         example="31 xã đạt chuẩn nông thôn mới"),
    Kind("step", "Chỉ tiêu năm", ("cmp", "value", "year"), scales_with_unit=True, chart="per_year", demo="step",
         example="năm 2024 kết nạp 1.200 đảng viên trở lên"),
)
KINDS: dict[str, Kind] = {k.id: k for k in TABLE}

EVERY_YEAR_KINDS = tuple(k.id for k in TABLE if k.every_year)
SCALED_KINDS = tuple(k.id for k in TABLE if k.scales_with_unit)
LEVEL_KINDS = tuple(k.id for k in TABLE if k.demo == "level")
