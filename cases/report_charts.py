"""Geometry of the reports' server-rendered SVG charts. Pure: no database, no clock.

The templates in templates/cases/reports/ draw what these return. Right to left
(Arabic) mirrors the x-axis: the first day or hour is on the right, as Arabic
is read; horizontal bars grow from the right. Every chart sits beside a table
holding the same numbers, so nothing is only in the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
HEIGHT = 200
PAD_TOP = 12
PAD_BOTTOM = 28  # x labels
PAD_SIDE = 44  # y-axis numbers


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    label_x: float
    show_label: bool


def _nice_max(value: float) -> float:
    """The axis top: at most four steps of 1, 2 or 5 times a power of ten (whole numbers
    for counts), at least the largest value."""
    if value <= 0:
        return 4
    step = 1
    while step * 4 < value:
        for factor in (2, 2.5, 2):  # 1 -> 2 -> 5 -> 10 -> 20 -> 50 ...
            step = step * factor
            if step * 4 >= value:
                break
    step = int(step) if step >= 1 else step
    return step * -(-value // step)


def column_chart(points: list[tuple[str, float]], *, rtl: bool, max_labels: int = 12) -> dict:
    """Vertical bars, one per point (a day, an hour), in order along the reading direction."""
    n = max(len(points), 1)
    plot_w = WIDTH - 2 * PAD_SIDE
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    top = _nice_max(max((v for _l, v in points), default=0))
    slot = plot_w / n
    every = max(1, -(-n // max_labels))  # ceil: at most max_labels labels
    bars = []
    for i, (label, value) in enumerate(points):
        position = (n - 1 - i) if rtl else i
        h = plot_h * value / top if top else 0
        x = PAD_SIDE + position * slot + slot * 0.1
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(PAD_TOP + plot_h - h, 1),
                width=round(slot * 0.8, 1),
                height=round(h, 1),
                label=label,
                value=value,
                label_x=round(PAD_SIDE + position * slot + slot / 2, 1),
                show_label=i % every == 0,
            )
        )
    return _frame(top, bars=bars, rtl=rtl)


def line_chart(points: list[tuple[str, float]], *, rtl: bool, max_labels: int = 12) -> dict:
    """A line through the points (the backlog at the end of each day)."""
    n = len(points)
    plot_w = WIDTH - 2 * PAD_SIDE
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    top = _nice_max(max((v for _l, v in points), default=0))
    every = max(1, -(-n // max_labels))
    dots = []
    for i, (label, value) in enumerate(points):
        share = 0.5 if n == 1 else i / (n - 1)
        if rtl:
            share = 1 - share
        x = PAD_SIDE + share * plot_w
        y = PAD_TOP + plot_h - (plot_h * value / top if top else 0)
        dots.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "label": label,
                "value": value,
                "show_label": i % every == 0,
            }
        )
    chart = _frame(top, bars=[], rtl=rtl)
    chart["dots"] = dots
    chart["polyline"] = " ".join(f"{d['x']},{d['y']}" for d in dots)
    return chart


def bar_list(rows: list[tuple], *, rtl: bool, top: float | None = None) -> dict:
    """Horizontal bars with their labels (categories, languages), in the order given.

    A row is (label, value) or (label, value, text shown for the value)."""
    row_h, label_w = 26, 170
    height = max(len(rows), 1) * row_h + 8
    plot_w = WIDTH - label_w - 70
    top = top or max((row[1] for row in rows), default=0) or 1
    bars = []
    for i, (label, value, *text) in enumerate(rows):
        w = plot_w * value / top
        y = 4 + i * row_h
        # Drawn with direction ltr (see reports.css): anchors are physical.
        if rtl:
            x = WIDTH - label_w - w
            label_x, value_x = WIDTH - label_w + 8, x - 6
        else:
            x = label_w
            label_x, value_x = label_w - 8, x + w + 6
        bars.append(
            {
                "x": round(x, 1),
                "y": y + 4,
                "width": round(w, 1),
                "height": row_h - 8,
                "label": label,
                "value": value,
                "text": text[0] if text else None,
                "label_x": label_x,
                "value_x": round(value_x, 1),
                "text_y": y + row_h / 2 + 4,
            }
        )
    return {
        "width": WIDTH,
        "height": height,
        "bars": bars,
        "rtl": rtl,
        "label_anchor": "start" if rtl else "end",
        "value_anchor": "end" if rtl else "start",
    }


def _steps(top: float) -> int:
    """How many equal steps of a round size make `top` (at most 4)."""
    for steps in (4, 3, 2, 1):
        if (top / steps) == int(top / steps) and _round_step(top / steps):
            return steps
    return 4


def _round_step(step: float) -> bool:
    while step >= 10 and step % 10 == 0:
        step //= 10
    return step in (1, 2, 5)


def _frame(top: float, *, bars: list[Bar], rtl: bool) -> dict:
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    steps = _steps(top)
    ticks = [
        {"value": round(top * i / steps, 2), "y": round(PAD_TOP + plot_h - plot_h * i / steps, 1)}
        for i in range(steps + 1)
    ]
    # The value axis stands where the reading starts: left in English, right in Arabic.
    axis_x = WIDTH - PAD_SIDE if rtl else PAD_SIDE
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "ticks": ticks,
        "axis_x": axis_x,
        "tick_text_x": axis_x + 6 if rtl else axis_x - 6,
        "tick_anchor": "start" if rtl else "end",
        "plot_start": PAD_SIDE,
        "plot_end": WIDTH - PAD_SIDE,
        "label_y": HEIGHT - 8,
        "rtl": rtl,
    }
