"""Server-side SVG charts: well formed, accessible, escaped, and nothing the CSP would refuse."""

import re
import xml.etree.ElementTree as ET

import pytest

from waypoint.returns.charts import Bar, Guide, LineSeries, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def series_group(root: ET.Element, number: int = 0) -> ET.Element:
    [group] = [
        element
        for element in root.iter(f"{SVG}g")
        if element.get("class") == f"chart-series chart-series-{number}"
    ]
    return group


def scores_chart(
    *series: LineSeries, labels: tuple[str, ...] = ("Visit 1", "Visit 2", "Visit 3")
) -> str:
    return line_chart(
        chart_id="scores",
        title="Scores <over> visits",
        description="Per dimension & overall",
        x_labels=labels,
        series=series,
        guides=[Guide(0.33, "Medium"), Guide(0.66, "High")],
    )


def test_a_line_chart_is_well_formed_and_labelled_for_assistive_technology() -> None:
    svg = scores_chart(LineSeries("Economic", [0.2, 0.5, 0.8], "#0b5cab"))
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "scores-title scores-desc"
    assert root.find(f"{SVG}title").text == "Scores <over> visits"
    assert root.find(f"{SVG}desc").text == "Per dimension & overall"
    assert "&lt;over&gt;" in svg


def test_nothing_inline_that_the_content_security_policy_refuses() -> None:
    svg = scores_chart(LineSeries("Economic", [0.2, 0.5, 0.8], "#0b5cab", dash="4 2"))
    assert "style" not in svg
    assert "<script" not in svg
    assert not re.search(r"\son[a-z]+=", svg)
    assert 'stroke="#0b5cab"' in svg
    assert 'stroke-dasharray="4 2"' in svg


def test_points_rise_with_the_score_and_a_missing_score_breaks_the_line() -> None:
    root = parse(scores_chart(LineSeries("Social", [0.0, None, 1.0], "#1d6b35")))
    [path] = [element for element in root.iter(f"{SVG}path") if element.get("fill") == "none"]
    moves = re.findall(r"([ML])([\d.]+) ([\d.]+)", path.get("d"))
    assert [command for command, _x, _y in moves] == ["M", "M"]
    (_, x0, y0), (_, x1, y1) = moves
    assert float(x1) > float(x0)
    assert float(y1) < float(y0), "a higher score is drawn higher up"
    markers = list(series_group(root).iter(f"{SVG}circle"))
    assert [marker.find(f"{SVG}title").text for marker in markers] == [
        "Social: 0.00",
        "Social: 1.00",
    ]


def test_series_differ_by_marker_shape_and_the_legend_names_each() -> None:
    svg = scores_chart(
        LineSeries("Economic", [0.5, 0.6, 0.7], "#0b5cab", marker="square"),
        LineSeries("Overall", [0.4, 0.5, 0.6], "#1b1f24", marker="diamond", emphasis=True),
    )
    root = parse(svg)
    assert len(list(series_group(root, 0).iter(f"{SVG}rect"))) == 3
    legend = [text.text for group in root.iter(f"{SVG}g") if group.get("class") == "chart-legend"
              for text in group.iter(f"{SVG}text")]  # fmt: skip
    assert legend == ["Economic", "Overall"]
    assert 'stroke-width="3.5"' in svg


def test_a_single_visit_is_drawn_in_the_middle() -> None:
    root = parse(
        scores_chart(LineSeries("Overall", [0.5], "#000"), labels=("Visit 1\n2026-01-05",))
    )
    [marker] = series_group(root).iter(f"{SVG}circle")
    assert 200 < float(marker.get("cx")) < 400
    tspans = [span.text for span in root.iter(f"{SVG}tspan")]
    assert tspans == ["Visit 1", "2026-01-05"]


def test_a_series_must_have_a_value_for_every_visit() -> None:
    with pytest.raises(ValueError, match="2 values for 3 points"):
        scores_chart(LineSeries("Economic", [0.1, 0.2], "#000"))


def test_a_bar_chart_draws_no_bar_for_a_withheld_value_but_says_so() -> None:
    svg = bar_chart(
        chart_id="stages",
        title="Returns at each stage",
        description="Counts",
        bars=[
            Bar("Counselling", 12, "12"),
            Bar("Withdrawn", None, "withheld"),
            Bar("Approved", 0, "0"),
        ],
    )
    root = parse(svg)
    bars = list(root.iter(f"{SVG}rect"))
    assert len(bars) == 1
    assert float(bars[0].get("width")) > 300
    values = [
        text.text for text in root.iter(f"{SVG}text") if text.get("class") == "chart-bar-value"
    ]
    assert values == ["12", "withheld", "0"]
