"""Charts drawn on the server as inline SVG: no script, no style attribute, no <style>.

The content security policy forbids inline styles, so colours and dashes are SVG presentation
attributes (``stroke``, ``fill``, ``stroke-dasharray``), which it allows, and sizes of text come
from classes in ``returns/returns.css``. Every chart has a title and a description for assistive
technology, and the page shows a table of the same numbers next to it; series differ in colour,
dash pattern and marker shape, so no reader depends on colour alone. All text is escaped.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

LINE_WIDTH = 640
LINE_HEIGHT = 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 16, 16, 52
_INSET = 44
_LEGEND_ROW = 22
_Y_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)

BAR_WIDTH = 640
_BAR_ROW = 30
_BAR_LABEL_WIDTH = 220
_BAR_VALUE_ROOM = 90


@dataclass(frozen=True)
class LineSeries:
    name: str
    values: Sequence[float | None]
    """One value per point on the x axis; ``None`` leaves a gap."""
    colour: str
    dash: str = ""
    """A ``stroke-dasharray`` value, empty for a solid line."""
    marker: str = "circle"
    """``circle``, ``square``, ``triangle`` or ``diamond``."""
    emphasis: bool = False


@dataclass(frozen=True)
class Guide:
    """A horizontal reference line, e.g. the threshold of a label."""

    value: float
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    """``None`` when the value is withheld or unknown: no bar is drawn."""
    text: str
    """What is written after the bar: the value, or why there is none."""


def _safe(parts: Iterable[SafeString]) -> SafeString:
    # Every part was built by format_html or _element, which escape what they are given.
    return SafeString("".join(parts))


def _element(tag: str, attributes: Mapping[str, object], *children: SafeString | str) -> SafeString:
    shown = {name: _number(value) for name, value in attributes.items() if value is not None}
    content = _safe(conditional_escape(child) for child in children)
    if not content:
        return format_html("<{}{} />", tag, flatatt(shown))
    return format_html("<{}{}>{}</{}>", tag, flatatt(shown), content, tag)


def _number(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


def _svg(
    chart_id: str,
    title: str,
    description: str,
    width: int,
    height: int,
    css_class: str,
    body: Iterable[SafeString],
) -> SafeString:
    return _element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "id": chart_id,
            "class": f"chart {css_class}",
            "viewBox": f"0 0 {width} {height}",
            "width": width,
            "height": height,
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "font-family": "DejaVu Sans, sans-serif",
        },
        _element("title", {"id": f"{chart_id}-title"}, title),
        _element("desc", {"id": f"{chart_id}-desc"}, description),
        *body,
    )


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[LineSeries],
    guides: Sequence[Guide] = (),
    value_format: str = "{:.2f}",
) -> SafeString:
    """Values in [0, 1] over successive points (visits), one line per series."""
    for item in series:
        if len(item.values) != len(x_labels):
            raise ValueError(
                f"Series {item.name!r} has {len(item.values)} values for {len(x_labels)} points."
            )
    plot_width = LINE_WIDTH - _LEFT - _RIGHT
    plot_height = LINE_HEIGHT - _TOP - _BOTTOM
    height = LINE_HEIGHT + _LEGEND_ROW * len(series)

    def x_at(index: int) -> float:
        # Points keep clear of the plot's edges, so that their two-line labels fit.
        if len(x_labels) == 1:
            return _LEFT + plot_width / 2
        return _LEFT + _INSET + (plot_width - 2 * _INSET) * index / (len(x_labels) - 1)

    def y_at(value: float) -> float:
        return _TOP + plot_height * (1 - min(1.0, max(0.0, value)))

    body: list[SafeString] = []
    for tick in _Y_TICKS:
        y = y_at(tick)
        body.append(
            _element(
                "line",
                {
                    "x1": _LEFT,
                    "x2": _LEFT + plot_width,
                    "y1": y,
                    "y2": y,
                    "stroke": "#c9d1da",
                    "class": "chart-grid",
                },
            )
        )
        body.append(
            _element(
                "text",
                {
                    "x": _LEFT - 8,
                    "y": y + 4,
                    "text-anchor": "end",
                    "class": "chart-axis",
                    "fill": "#4a5360",
                    "font-size": 12,
                },
                value_format.format(tick),
            )
        )
    for guide in guides:
        y = y_at(guide.value)
        body.append(
            _element(
                "line",
                {
                    "x1": _LEFT,
                    "x2": _LEFT + plot_width,
                    "y1": y,
                    "y2": y,
                    "stroke": "#7a4b00",
                    "stroke-dasharray": "2 4",
                    "class": "chart-guide",
                },
            )
        )
        # Inside the plot, just above its line, so that a long label is never cut off.
        body.append(
            _element(
                "text",
                {
                    "x": _LEFT + plot_width - 4,
                    "y": y - 4,
                    "text-anchor": "end",
                    "class": "chart-guide-label",
                    "fill": "#7a4b00",
                    "font-size": 11,
                    "stroke": "#ffffff",
                    "stroke-width": 3,
                    "paint-order": "stroke",
                },
                guide.label,
            )
        )
    for index, label in enumerate(x_labels):
        lines = label.split("\n")
        body.append(
            _element(
                "text",
                {
                    "x": x_at(index),
                    "y": _TOP + plot_height + 18,
                    "text-anchor": "middle",
                    "class": "chart-axis",
                    "fill": "#1b1f24",
                    "font-size": 12,
                },
                *(
                    _element("tspan", {"x": x_at(index), "dy": 0 if row == 0 else 15}, line)
                    for row, line in enumerate(lines)
                ),
            )
        )
    for number, item in enumerate(series):
        points = [
            (x_at(index), y_at(value), value)
            for index, value in enumerate(item.values)
            if value is not None
        ]
        path = _line_path(
            [None if v is None else (x_at(i), y_at(v)) for i, v in enumerate(item.values)]
        )
        group: list[SafeString] = []
        if path:
            group.append(
                _element(
                    "path",
                    {
                        "d": path,
                        "fill": "none",
                        "stroke": item.colour,
                        "stroke-width": 3.5 if item.emphasis else 2,
                        "stroke-dasharray": item.dash or None,
                        "stroke-linejoin": "round",
                    },
                )
            )
        for x, y, value in points:
            group.append(
                _marker(
                    item.marker, x, y, item.colour, f"{item.name}: {value_format.format(value)}"
                )
            )
        body.append(_element("g", {"class": f"chart-series chart-series-{number}"}, *group))
        legend_y = LINE_HEIGHT + _LEGEND_ROW * number + 4
        body.append(
            _element(
                "g",
                {"class": "chart-legend"},
                _element(
                    "line",
                    {
                        "x1": _LEFT,
                        "x2": _LEFT + 36,
                        "y1": legend_y,
                        "y2": legend_y,
                        "stroke": item.colour,
                        "stroke-width": 3.5 if item.emphasis else 2,
                        "stroke-dasharray": item.dash or None,
                    },
                ),
                _marker(item.marker, _LEFT + 18, legend_y, item.colour, item.name),
                _element(
                    "text",
                    {
                        "x": _LEFT + 46,
                        "y": legend_y + 4,
                        "fill": "#1b1f24",
                        "font-size": 12,
                        "class": "chart-legend-label",
                    },
                    item.name,
                ),
            )
        )
    return _svg(chart_id, title, description, LINE_WIDTH, height, "chart-line", body)


def _line_path(points: Sequence[tuple[float, float] | None]) -> str:
    """An SVG path through the points, broken where a value is missing."""
    commands: list[str] = []
    pen_down = False
    for point in points:
        if point is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{point[0]:.1f} {point[1]:.1f}")
        pen_down = True
    return " ".join(commands)


def _marker(shape: str, x: float, y: float, colour: str, label: str) -> SafeString:
    tooltip = _element("title", {}, label)
    size = 5.0
    common = {"fill": colour, "stroke": "#ffffff", "stroke-width": 1}
    if shape == "square":
        return _element(
            "rect",
            {"x": x - size, "y": y - size, "width": 2 * size, "height": 2 * size, **common},
            tooltip,
        )
    if shape == "triangle":
        triangle = ((x, y - size - 1), (x + size + 1, y + size), (x - size - 1, y + size))
        return _element("path", {"d": _polygon(triangle), **common}, tooltip)
    if shape == "diamond":
        diamond = ((x, y - size - 1), (x + size + 1, y), (x, y + size + 1), (x - size - 1, y))
        return _element("path", {"d": _polygon(diamond), **common}, tooltip)
    return _element("circle", {"cx": x, "cy": y, "r": size, **common}, tooltip)


def _polygon(corners: Sequence[tuple[float, float]]) -> str:
    return _line_path(corners) + " Z"


def bar_chart(
    *, chart_id: str, title: str, description: str, bars: Sequence[Bar], colour: str = "#0b5cab"
) -> SafeString:
    """Horizontal bars, one row per category, the value written after each bar."""
    height = max(1, len(bars)) * _BAR_ROW + 8
    room = BAR_WIDTH - _BAR_LABEL_WIDTH - _BAR_VALUE_ROOM
    largest = max((bar.value for bar in bars if bar.value is not None), default=0.0) or 1.0
    body: list[SafeString] = []
    for row, bar in enumerate(bars):
        top = 4 + row * _BAR_ROW
        middle = top + _BAR_ROW / 2
        parts = [
            _element(
                "text",
                {
                    "x": _BAR_LABEL_WIDTH - 8,
                    "y": middle + 4,
                    "text-anchor": "end",
                    "fill": "#1b1f24",
                    "font-size": 12,
                    "class": "chart-bar-label",
                },
                bar.label,
            )
        ]
        length = 0.0
        if bar.value is not None and bar.value > 0:
            length = max(2.0, room * bar.value / largest)
            parts.append(
                _element(
                    "rect",
                    {
                        "x": _BAR_LABEL_WIDTH,
                        "y": top + 5,
                        "width": length,
                        "height": _BAR_ROW - 10,
                        "fill": colour,
                        "class": "chart-bar",
                    },
                    _element("title", {}, f"{bar.label}: {bar.text}"),
                )
            )
        parts.append(
            _element(
                "text",
                {
                    "x": _BAR_LABEL_WIDTH + length + 6,
                    "y": middle + 4,
                    "fill": "#1b1f24",
                    "font-size": 12,
                    "class": "chart-bar-value",
                },
                bar.text,
            )
        )
        body.append(_element("g", {"class": "chart-row"}, *parts))
    return _svg(chart_id, title, description, BAR_WIDTH, height, "chart-bars", body)
