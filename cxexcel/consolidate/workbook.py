"""Writing the summary workbook: «Свод», «Мониторинг», lists, «Ошибки», «Файлы», «Панель» (XlsxWriter + sheetxml)."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cxexcel import __version__
from cxexcel.consolidate.figures import WHOLE_REGION, Summary
from cxexcel.consolidate.sheetxml import SCRATCH_ROW, Cell, Column, RowBlock, excel_serial, splice_rows
from cxexcel.fileio import atomic_output, xlsxwriter_text, xml_text
from cxexcel.forms import KINDS, Level, TableSheet, catalog
from cxexcel.forms.kinds import CONSULTATIONS, JOURNEY, ROADMAP
from cxexcel.validate.rules.journey import DECISIONS_SHEET
from cxexcel.validate.rules.roadmap import MEETINGS_SHEET

SMALL_SAMPLE_TEXT = catalog.SMALL_SAMPLE_LABEL
# makes one cell of a value that is not None, given its whole row
CellMaker = Callable[[Any, dict[str, Any]], Cell | None]
PAPER_A4, PAPER_A3 = 9, 8
FIXED_CREATED = dt.datetime(2021, 7, 26)


@dataclass(frozen=True)
class Col:
    key: str
    title: str
    kind: str = "text"  # text | int | num | p (a p-value) | pct | date | bool | est (value with «мало данных»)
    width: float = 14
    # the row field that marks a small sample, where it is not "<key>_small_sample" (a «да»/«нет» column
    # given one shows «мало данных» instead)
    small: str | None = None


def _region_columns(level: str) -> list[Col]:
    cols = [Col("region", "Субъект РФ", width=30)]
    if level == "region":
        cols.append(Col("czn", "ЦЗН", width=30))
    cols += [Col(f"files.{k}", f"Файлов: {kind.title}", "int", 11) for k, kind in KINDS.items()
             if kind.level is not Level.FEDERAL]
    cols.append(Col("files_rejected", "Файлов отклонено", "int", 11))
    cols += [
        Col("roadmap_done_pct", "Выполнено пунктов программы, %", "num"),
        Col("overdue_items", "Просрочено пунктов", "int"),
        Col("done_late_items", "Выполнено с опозданием", "int"),
        Col("meetings", "Совещаний", "int", 11),
        Col("max_meeting_gap_days", "Наибольший перерыв между совещаниями, дн.", "int"),
        Col("meeting_deadlines_met", "Совещания к срокам п. 2.1.9", "text", 12),
        Col("cadence_ok", "Периодичность совещаний соблюдена", "bool", 13),
        Col("team", "Рабочая группа, чел.", "int", 11),
        Col("team_leader", "Один руководитель команды", "bool", 12),
        Col("team_units", "Подразделений в команде", "int", 12),
        Col("touchpoints_mapped", "Точек контакта на пути клиента", "int", 12),
        Col("touchpoints_measured", "Точек контакта с замерами", "int", 12),
        Col("answers", "Ответов (замеров)", "int", 11),
        Col("csat_pct", "CSAT, % (4–5)", "est", 11),
        Col("csat_pct_n", "CSAT, n", "int", 9),
        Col("csat_pct_ci", "CSAT, 95% интервал", "text", 14),
        Col("csat_mean", "CSAT, средний балл", "est", 11),
        Col("nps", "NPS", "est", 9),
        Col("nps_n", "NPS, n", "int", 9),
        Col("nps_ci", "NPS, 95% интервал", "text", 14),
        Col("ces_mean", "CES, средний балл", "est", 11),
        Col("ces_mean_n", "CES, n", "int", 9),
        Col("ces_share", "CES, % (5–7)", "est", 11),
        Col("wait_time_mean", "Ожидание, мин (среднее)", "est", 11),
        Col("wait_time_mean_n", "Ожидание, n", "int", 9),
        Col("wait_time_median", "Ожидание, мин (медиана)", "est", 11),
        Col("service_time_mean", "Обслуживание, мин (среднее)", "est", 11),
        Col("service_time_mean_n", "Обслуживание, n", "int", 9),
        Col("service_time_median", "Обслуживание, мин (медиана)", "est", 11),
        Col("fcr_pct", "Решено с первого обращения, %", "est", 12),
        Col("fcr_pct_n", "Решено с первого обращения, n", "int", 11),
        Col("tools", "Инструментов", "int", 11),
        Col("tools_confirmed", "Инструментов с подтвержденным эффектом", "int", 13),
        Col("decisions", "Решений в карте решений", "int", 11),
        Col("errors", "Ошибок в файлах", "int", 10),
        Col("warnings", "Предупреждений", "int", 12),
    ]
    return cols


# «Точки контакта» shows one row per touchpoint (or channel) with every metric side by side:
# the JSON keeps one row per metric with its interval; a sheet that long would be unreadable
TOUCHPOINT_KEYS = ("region", "czn", "code")
TOUCHPOINT_COLUMNS = [
    Col("region", "Субъект РФ", width=28), Col("czn", "ЦЗН", width=28), Col("code", "Код точки контакта", width=12),
    Col("touchpoint", "Точка контакта", width=28), Col("stage", "Этап", width=18), Col("channel", "Канал", width=20),
]
CHANNEL_KEYS = ("region", "channel")
CHANNEL_COLUMNS = [Col("region", "Субъект РФ", width=28), Col("channel", "Канал", width=22)]


def metric_columns() -> list[Col]:
    """n and value of every metric, in the catalogue's order."""
    return [col for metric in catalog.METRIC_NAMES
            for col in (Col(f"{metric}.n", f"{metric}: n", "int", 8), Col(metric, metric, "est", 11))]


def pivot_metrics(rows: Sequence[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Long rows (one per metric) folded into one row per key, metrics as columns."""
    folded: dict[Any, dict[str, Any]] = {}
    key_of = itemgetter(*keys)
    # the column keys of a metric, spelled once (a national summary folds hundreds of thousands of rows)
    columns: dict[str, tuple[str, str]] = {}
    for row in rows:
        key = key_of(row)
        target = folded.get(key)
        if target is None:
            target = folded[key] = {k: v for k, v in row.items() if k not in ("metric", "n", "value")}
        metric = row["metric"]
        names = columns.get(metric)
        if names is None:
            names = columns[metric] = (f"{metric}.n", f"{metric}_small_sample")
        target[names[0]] = row["n"]
        target[metric] = row["value"]
        target[names[1]] = row["small_sample"]
    return list(folded.values())


TOOL_COLUMNS = [
    Col("region", "Субъект РФ", width=28), Col("czn", "ЦЗН", width=28), Col("tool", "Инструмент", width=28),
    Col("touchpoint", "Код точки контакта", width=12), Col("metric", "Метрика эффекта", width=18),
    Col("launch_date", "Дата запуска", "date", 12), Col("typed_before", "Значение до (указано)", "num", 12),
    Col("typed_after", "Значение после (указано)", "num", 12), Col("before", "До запуска (по замерам)", "est", 12),
    Col("before_n", "n до", "int", 8), Col("after", "После запуска (по замерам)", "est", 12),
    Col("after_n", "n после", "int", 8), Col("effect", "Изменение", "est", 11, small="effect_small_sample"),
    Col("p_value", "p-значение", "p", 10),
    Col("effect_confirmed", "Эффект подтвержден", "bool", 12, small="effect_small_sample"),
    Col("conclusion", "Вывод региона", width=36), Col("file", "Файл", width=30),
]
ISSUE_COLUMNS = [
    Col("file", "Файл", width=36), Col("file_status_ru", "Статус файла", width=16),
    Col("region", "Субъект РФ", width=26), Col("czn", "ЦЗН", width=26), Col("severity_ru", "Важность", width=14),
    Col("sheet", "Лист", width=18), Col("cell", "Ячейка", width=9),
    Col("column", "Столбец", width=20), Col("value", "Значение", width=20), Col("message", "Сообщение", width=80),
    Col("code", "Код", width=22),
]
FILE_COLUMNS = [
    Col("path", "Файл", width=40), Col("kind_title", "Вид книги", width=20), Col("region", "Субъект РФ", width=26),
    Col("czn", "ЦЗН", width=26), Col("report_date", "Отчетная дата", "date", 12),
    Col("size", "Размер, байт", "int", 12),
    Col("sha256", "SHA-256", width=20), Col("status_ru", "Статус", width=18), Col("reason", "Причина", width=50),
    Col("errors", "Ошибок", "int", 9), Col("warnings", "Предупреждений", "int", 12),
]


def declared_columns(sheet: TableSheet, with_czn: bool = True) -> list[Col]:
    """A list sheet's columns: region, centre, then the form's own declared columns."""
    cols = [Col("region", "Субъект РФ", width=28)]
    if with_czn:
        cols.append(Col("czn", "ЦЗН", width=28))
    kinds = {"date": "date", "integer": "int", "number": "num"}
    cols += [Col(c.key, c.title, kinds.get(c.type.value, "text"), min(c.width, 40)) for c in sheet.columns
             if c.key not in ("region", "czn")]
    cols += [Col("row_ok", "Строка без ошибок", "bool", 10), Col("file", "Файл", width=30),
             Col("row", "Строка", "int", 8)]
    return cols


def _small_sample_key(col: Col) -> str | None:
    """The row field that says a column's figure rests on too few answers; None for a column without one."""
    if col.small is not None:
        return col.small
    return f"{col.key}_small_sample" if col.kind == "est" else None


def _ru(number: float) -> str:
    """A number inside a text cell, as a Russian reader writes it (a decimal comma, the minus sign the
    headers use: «NPS — от −100 до 100»): Excel does not localise text."""
    return f"{number:g}".replace(".", ",").replace("-", "\u2212")


# «Панель»'s charts: the «Свод» figure each plots, and its title
CHARTS = (
    ("roadmap_done_pct", "Выполнение программы, %"),
    ("csat_pct", "CSAT, % довольных (4–5)"),
    ("nps", "NPS"),
    ("answers", "Ответов (замеров)"),
)
# where on «Панель» the charts' data lie (0-based; hidden columns right of the charts, header row first)
CHART_DATA_ROW, CHART_DATA_COL = 1, 26


class SummaryWriter:
    def __init__(self, book: xlsxwriter.Workbook, summary: Summary) -> None:
        self.book = book
        self.summary = summary
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                       "border": 1})
        self.formats: dict[str, Format] = {
            "text": book.add_format({"valign": "top"}),
            "int": book.add_format({"num_format": "0"}),
            "num": book.add_format({"num_format": "0.0#"}),
            # four places, as the JSON has them: at two, p = 0.0002 read «0,0»
            "p": book.add_format({"num_format": "0.0000"}),
            "date": book.add_format({"num_format": "dd.mm.yyyy"}),
            "small": book.add_format({"italic": True, "font_color": "#7F7F7F"}),
            "title": book.add_format({"bold": True, "font_size": 13}),
        }
        self.status_formats = {
            catalog.STATUS_DONE: book.add_format({"bg_color": "#C6EFCE", "border": 1}),
            catalog.STATUS_IN_PROGRESS: book.add_format({"bg_color": "#FFEB9C", "border": 1}),
            catalog.STATUS_CANCELLED: book.add_format({"bg_color": "#D9D9D9", "border": 1}),
            "overdue": book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1}),
            "plain": book.add_format({"border": 1}),
        }
        self._texts: dict[str, str] = {}
        # sheet name -> the lists whose rows sheetxml writes
        self.spliced: dict[str, list[RowBlock]] = {}

    def write(self) -> None:
        s = self.summary
        region_rows = [self._flatten(r) for r in s.regions]
        # «Свод» (a row per region or centre) is written by XlsxWriter itself; «Панель»'s charts read their own
        # numeric copy of its figures (`_chart_data`), as «Свод» shows small samples as text
        self._table(catalog.SUMMARY_SHEET, _region_columns(s.level), region_rows,
                    title=f"Свод пилотной апробации на {s.as_of:%d.%m.%Y}", spliced=False)
        self._monitoring()
        self._touchpoints()
        self._table("Инструменты", TOOL_COLUMNS, s.tools)
        journey_decisions = JOURNEY.sheet(DECISIONS_SHEET)
        meetings = ROADMAP.sheet(MEETINGS_SHEET)
        consultations = CONSULTATIONS.sheets[0]
        assert isinstance(journey_decisions, TableSheet) and isinstance(meetings, TableSheet)
        assert isinstance(consultations, TableSheet)
        self._table("Карта решений", declared_columns(journey_decisions), s.decisions)
        self._table("Совещания", declared_columns(meetings, with_czn=False), s.meetings)
        self._table("Журнал консультаций", declared_columns(consultations), s.consultations)
        self._table("Ошибки", ISSUE_COLUMNS, s.issues)
        self._table(catalog.FILES_SHEET, FILE_COLUMNS, s.files)
        self._dashboard(len(region_rows))

    @staticmethod
    def _flatten(row: dict[str, Any]) -> dict[str, Any]:
        flat = {k: v for k, v in row.items() if k != "files"}
        for kind, count in row.get("files", {}).items():
            flat[f"files.{kind}"] = count
        for prefix in ("csat_pct", "nps"):
            low, high = row.get(f"{prefix}_ci_low"), row.get(f"{prefix}_ci_high")
            flat[f"{prefix}_ci"] = f"{_ru(low)}…{_ru(high)}" if low is not None and high is not None else None
        return flat

    def _cell_maker(self, col: Col) -> CellMaker:
        """How a column's values become cells, decided once per column rather than per cell (the summary
        has over a million cells). Called only for values that are not None."""
        text_format, small_format = self.formats["text"], self.formats["small"]
        number_format = self.formats[col.kind if col.kind in ("int", "p") else "num"]

        def plain(value: Any, row: dict[str, Any]) -> Cell | None:
            kind = type(value)
            if kind is str:
                # user text stays text: "=HYPERLINK(…)" typed in a region's cell must not become a formula
                return ("s", value, text_format) if value else None
            if kind is float or kind is int:
                return ("n", value, number_format) if math.isfinite(value) else ("s", str(value), text_format)
            if value == "":
                return None
            if isinstance(value, bool):
                return ("s", "да" if value else "нет", None)
            if isinstance(value, int | float) and math.isfinite(value):
                return ("n", value, number_format)
            return ("s", str(value), text_format)

        small_key = _small_sample_key(col)
        if col.kind == "est":
            assert small_key is not None

            def estimate(value: Any, row: dict[str, Any]) -> Cell | None:
                if row.get(small_key):
                    # FORMS.md §5: under 30 answers a figure is shown as «мало данных», its n stays beside it
                    return ("s", f"{SMALL_SAMPLE_TEXT} ({_ru(value)})", small_format)
                return plain(value, row)
            return estimate
        if col.kind == "bool":
            def yes_no(value: Any, row: dict[str, Any]) -> Cell | None:
                if small_key is not None and row.get(small_key):
                    # an effect of too few answers is neither confirmed nor refuted: it is «мало данных»
                    return ("s", SMALL_SAMPLE_TEXT, small_format)
                return None if value == "" else ("s", "да" if value else "нет", None)
            return yes_no
        if col.kind == "date":
            date_format = self.formats["date"]

            def date(value: Any, row: dict[str, Any]) -> Cell | None:
                if value == "":
                    return None
                day = dt.date.fromisoformat(value) if isinstance(value, str) else value
                return ("n", excel_serial(day), date_format)
            return date
        return plain

    def _text(self, value: str) -> str:
        """A text for XlsxWriter's write_string: xml_text, kept literal (`xlsxwriter_text`)."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = xlsxwriter_text(xml_text(value))
        return found

    def _table(self, name: str, cols: Sequence[Col], rows: Sequence[dict[str, Any]],
               title: str | None = None, first_row: int = 0, ws: Worksheet | None = None,
               spliced: bool = True) -> Worksheet:
        """A list under its header. Its rows are written by `sheetxml` after XlsxWriter closes the book
        (`spliced`), or by XlsxWriter itself for a sheet that charts read (XlsxWriter caches their data)."""
        ws = ws or self.book.add_worksheet(name)
        r0 = first_row + (1 if title else 0)
        block = RowBlock(
            first_row=first_row,
            title=("s", title, self.formats["title"]) if title else None,
            header=[("s", col.title, self.header) for col in cols],
            header_height=45 if first_row == 0 else None,
            plan=[Column(c, col.key, self._cell_maker(col), _small_sample_key(col)) for c, col in enumerate(cols)],
            rows=rows,
            empty=("s", "нет данных", self.formats["small"]),
        )
        for c, col in enumerate(cols):
            ws.set_column(c, c, col.width)
        if spliced:
            if ws.name not in self.spliced:
                for c, fmt in enumerate([self.header, *self.formats.values()]):
                    ws.write_blank(SCRATCH_ROW, c, None, fmt)
            self.spliced.setdefault(ws.name, []).append(block)
        else:
            self._write_cells(ws, block)
        if first_row == 0:
            ws.freeze_panes(r0 + 1, 1)
            ws.autofilter(r0, 0, r0 + max(len(rows), 1), len(cols) - 1)
            ws.set_landscape()
            # «Свод» has over 40 columns: A3 keeps them legible on one page width
            ws.set_paper(PAPER_A3 if len(cols) > 20 else PAPER_A4)
            ws.fit_to_pages(1, 0)
            ws.repeat_rows(r0)
        return ws

    def _write_cells(self, ws: Worksheet, block: RowBlock) -> None:
        text = self._text
        for r, height, line in block.cells():
            if height:
                ws.set_row(r, height)
            for c, (kind, value, fmt) in line:
                if kind == "s":
                    ws.write_string(r, c, text(value), fmt)
                else:
                    ws.write_number(r, c, value, fmt)

    def _monitoring(self) -> None:
        ws = self.book.add_worksheet(catalog.MONITORING_SHEET)
        s = self.summary
        ws.write_string(0, 0, f"Мониторинг выполнения программы (Приложение 4) на {s.as_of:%d.%m.%Y}",
                        self.formats["title"])
        items = list(dict.fromkeys(m["item"] for m in s.monitoring))
        deadlines = {m["item"]: m["deadline"] for m in s.monitoring}
        ws.write_string(1, 0, "Субъект РФ", self.header)
        ws.write_string(2, 0, "Срок по регламенту", self.header)
        ws.set_column(0, 0, 30)
        for c, item in enumerate(items, start=1):
            ws.write_string(1, c, self._text(item), self.header)
            deadline = deadlines[item]
            ws.write_string(2, c, dt.date.fromisoformat(deadline).strftime("%d.%m.%Y") if deadline else "весь период",
                            self.header)
            ws.set_column(c, c, 12)
        regions = list(dict.fromkeys(m["region"] for m in s.monitoring))
        cells = {(m["region"], m["item"]): m for m in s.monitoring}
        for r, region in enumerate(regions, start=3):
            ws.write_string(r, 0, self._text(region))
            for c, item in enumerate(items, start=1):
                m = cells[(region, item)]
                fmt = self.status_formats["overdue"] if m["overdue"] else \
                    self.status_formats.get(m["status"], self.status_formats["plain"])
                late = " (с опозданием)" if m.get("done_late") else ""
                text = m["status"] + (" (просрочено)" if m["overdue"] else late)
                ws.write_string(r, c, self._text(text), fmt)
        legend = len(regions) + 4
        ws.write_string(legend, 0, "Красным — просрочено на дату свода; зеленым — выполнено («с опозданием» — "
                                   "позже срока по регламенту); "
                                   "желтым — в работе; серым — отменено; «нет данных» — дорожная карта "
                                   "субъекта не получена, выполнение и просрочка неизвестны.", self.formats["small"])
        ws.freeze_panes(3, 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        if not regions:
            ws.write_string(3, 0, "нет данных", self.formats["small"])

    def _touchpoints(self) -> None:
        s = self.summary
        touchpoints = pivot_metrics(s.touchpoints, TOUCHPOINT_KEYS)
        ws = self._table("Точки контакта", [*TOUCHPOINT_COLUMNS, *metric_columns()], touchpoints,
                         title="Метрики по точкам контакта (CSAT и «решено с первого обращения» — % ответов, "
                               "NPS — от −100 до 100, CES и время — среднее; n — число ответов)")
        start = len(touchpoints) + 4
        self._table("", [*CHANNEL_COLUMNS, *metric_columns()], pivot_metrics(s.channels, CHANNEL_KEYS),
                    title="Метрики по каналам", first_row=start, ws=ws)

    def _dashboard(self, region_count: int) -> None:
        ws = self.book.add_worksheet(catalog.DASHBOARD_SHEET)
        ws.set_landscape()
        ws.set_paper(PAPER_A4)
        ws.fit_to_pages(1, 1)
        s = self.summary
        files = s.files
        accepted = sum(f["status"] == "accepted" for f in files)
        ws.write_string(0, 0, f"Панель пилотной апробации на {s.as_of:%d.%m.%Y}",
                        self.book.add_format({"bold": True, "font_size": 14}))
        facts = [
            ("ЦЗН в своде", s.centre_count()) if s.level == "region" else ("Субъектов РФ в своде", s.region_count()),
            ("Файлов принято", accepted),
            ("Файлов отклонено", sum(f["status"] == "rejected" for f in files)),
            ("Файлов заменено более новыми", sum(f["status"] == "superseded" for f in files)),
            ("Ответов (замеров)",
             sum(r.get("answers") or 0 for r in s.regions if r.get("czn") in (None, WHOLE_REGION))),
            ("Инструментов с подтвержденным эффектом", sum(1 for t in s.tools if t["effect_confirmed"])),
        ]
        for i, (label, value) in enumerate(facts, start=2):
            ws.write_string(i, 0, label)
            ws.write_number(i, 1, value)
        ws.set_column(0, 0, 40)
        if region_count == 0:
            return
        self._chart_data(ws)
        first, last = CHART_DATA_ROW + 1, CHART_DATA_ROW + region_count
        for n, (_, title) in enumerate(CHARTS, start=1):
            chart = self.book.add_chart({"type": "column"})
            chart.add_series({
                "name": title,
                "categories": [ws.name, first, CHART_DATA_COL, last, CHART_DATA_COL],
                "values": [ws.name, first, CHART_DATA_COL + n, last, CHART_DATA_COL + n],
                "fill": {"color": "#2E75B6"},
            })
            # a region without the figure (or with «мало данных») has no bar, rather than one of height 0
            chart.show_blanks_as("gap")
            # the data columns are hidden, and Excel leaves hidden cells out of a chart unless told
            chart.show_hidden_data()
            chart.set_title({"name": title})
            chart.set_legend({"none": True})
            chart.set_size({"width": 620, "height": 320})
            ws.insert_chart(9 + ((n - 1) // 2) * 17, 0, chart, {"x_offset": ((n - 1) % 2) * 640, "y_offset": 4})

    def _chart_data(self, ws: Worksheet) -> None:
        """The figures «Панель»'s charts plot, in hidden columns of «Панель»: a number, or nothing where «Свод»
        shows «мало данных» or no figure. Excel plots a text cell as 0, so the charts cannot read «Свод»."""
        level = self.summary.level
        ws.write_string(CHART_DATA_ROW, CHART_DATA_COL, "ЦЗН" if level == "region" else "Субъект РФ", self.header)
        for n, (_, title) in enumerate(CHARTS, start=1):
            ws.write_string(CHART_DATA_ROW, CHART_DATA_COL + n, title, self.header)
        several = len({row.get("region") for row in self.summary.regions}) > 1
        for r, row in enumerate(self.summary.regions, start=CHART_DATA_ROW + 1):
            # at region level «Свод» has a row per centre: the centre names the bar, with its region when the
            # summary holds several (two may each have a «ЦЗН Ленинского района»), and the region's own row
            # says it is the whole region
            label = row.get("region")
            if level == "region":
                czn = row.get("czn")
                label = f"{row.get('region')}: {czn}" if several or czn == WHOLE_REGION else czn
            ws.write_string(r, CHART_DATA_COL, self._text(str(label or "")))
            for n, (key, _) in enumerate(CHARTS, start=1):
                value = row.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
                        and not row.get(f"{key}_small_sample"):
                    ws.write_number(r, CHART_DATA_COL + n, value)
        ws.set_column(CHART_DATA_COL, CHART_DATA_COL + len(CHARTS), None, None, {"hidden": True})


def write_summary_xlsx(summary: Summary, path: Path) -> None:
    """Write the summary to `path` through a temporary file, so a killed run leaves the old one."""
    package = io.BytesIO()
    book = xlsxwriter.Workbook(package, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": "Свод пилотной апробации", "author": f"cxexcel {__version__}",
                         "created": FIXED_CREATED})
    writer = SummaryWriter(book, summary)
    writer.write()
    book.close()
    with atomic_output(path) as tmp:
        splice_rows(package.getvalue(), tmp, writer.spliced)
