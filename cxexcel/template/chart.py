"""The emotion curve of the customer journey: a native line chart over the journey's steps."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from cxexcel.forms import TableSheet, catalog
from cxexcel.template.context import Book

EMOTION_KEY = "emotion"
# the steps are labelled by touchpoint code; a sheet without codes falls back to step numbers
CATEGORY_KEYS = ("touchpoint_code", "step")
CHART_TITLE = "Кривая эмоций клиента"


def has_emotion_curve(sheet: TableSheet) -> bool:
    return any(c.key == EMOTION_KEY for c in sheet.columns)


def add_emotion_chart(book: Book, worksheet: Worksheet, sheet: TableSheet, rows: int) -> None:
    """A line chart of «Эмоция» over data rows 1..rows, placed right of the table."""
    keys = [c.key for c in sheet.columns]
    emotion = keys.index(EMOTION_KEY)
    category_key = next((k for k in CATEGORY_KEYS if k in keys), None)
    chart = book.workbook.add_chart({"type": "line"})
    series: dict[str, object] = {
        "name": sheet.columns[emotion].title,
        "values": [sheet.name, 1, emotion, rows, emotion],
        "marker": {"type": "circle", "size": 7},
        "line": {"width": 2.25},
        "data_labels": {"value": True, "position": "above"},
    }
    if category_key is not None:
        category = keys.index(category_key)
        series["categories"] = [sheet.name, 1, category, rows, category]
    chart.add_series(series)
    chart.set_title({"name": CHART_TITLE})
    chart.set_legend({"none": True})
    chart.set_y_axis({
        "min": catalog.EMOTION_MIN,
        "max": catalog.EMOTION_MAX,
        "major_unit": 1,
        "name": sheet.columns[emotion].title,
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
    })
    # labels below the plot: the axis crosses at 0, in the middle of a −2…+2 scale
    x_axis: dict[str, object] = {"label_position": "low"}
    if category_key is not None:
        x_axis["name"] = sheet.columns[keys.index(category_key)].title
    chart.set_x_axis(x_axis)
    # empty rows of the template break the line instead of dropping it to zero
    chart.show_blanks_as("gap")
    chart.set_size({"width": 900, "height": 380})
    worksheet.insert_chart(1, len(sheet.columns) + 1, chart, {"object_position": 2})
