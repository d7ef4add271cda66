"""Reading a filled workbook into raw rows that remember their cells."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from cxexcel.forms import KINDS, FormSheet, TableSheet, WorkbookKind, catalog, title_fields
from cxexcel.forms.kinds import MEASUREMENTS
from cxexcel.forms.model import Column
from cxexcel.issues import Code, Issue, Severity, make_issue
from cxexcel.read.container import DEFAULT_LIMITS, Limits
from cxexcel.read.errors import UnreadableReason, UnreadableWorkbook
from cxexcel.read.normalize import cell_ref, column_letter, normalize_title, parse_cell_ref
from cxexcel.read.sources import CalamineSource, SheetData, SheetSource, ValuesSource

# How far down a sheet the header row may have been pushed by rows a user inserted above it.
HEADER_SEARCH_ROWS = 30
# How far right of its label a form field's value may stand (merged or shifted cells).
FORM_VALUE_SPAN = 4


@dataclass(frozen=True)
class FormulaProblem:
    """Stands in a cell whose formula has an error or no computed value."""

    error: str | None

    def __str__(self) -> str:
        return self.error or "формула без значения"


@dataclass(frozen=True)
class RawRow:
    """One data row of a table: 0-based sheet row, raw values in the order of the table's
    column keys (`RawTable.keys`), and the values of unknown columns by header."""

    row: int
    values: list[Any]
    extra: dict[str, Any]

    @property
    def excel_row(self) -> int:
        return self.row + 1


@dataclass
class RawTable:
    """A table's data rows (blank ones dropped), held column by column: a measurements sheet has
    thousands of rows, and the checks read it a column at a time."""

    declaration: TableSheet
    sheet_name: str
    header_row: int | None = None
    columns: dict[str, int] = field(default_factory=dict)
    # 0-based sheet row of each data row
    row_numbers: list[int] = field(default_factory=list)
    # one list of raw values per column key, in the order of `keys`, aligned with `row_numbers`
    column_values: list[list[Any]] = field(default_factory=list)
    # 0-based sheet row -> the values of unknown columns by header, for the rows that have any
    extras: dict[int, dict[str, Any]] = field(default_factory=dict)
    # the set of each column's values, where the reader made one (None: not made): the checker
    # judges each distinct value once
    column_sets: list[set[Any] | None] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Column keys found, in the order of each row's values."""
        return list(self.columns)

    @property
    def rows(self) -> list[RawRow]:
        """The data rows one by one, for callers that read a table a row at a time."""
        by_row = zip(*self.column_values, strict=True) if self.column_values else ([] for _ in self.row_numbers)
        return [RawRow(r, list(values), dict(self.extras.get(r, {})))
                for r, values in zip(self.row_numbers, by_row, strict=True)]

    def cell(self, key: str, row: int) -> str | None:
        """A1 reference of column `key` in 0-based sheet row `row`, if the column exists."""
        col = self.columns.get(key)
        return None if col is None else cell_ref(row, col)


@dataclass(frozen=True)
class FormField:
    raw: Any
    # 0-based position of the value cell
    row: int
    col: int

    @property
    def cell(self) -> str:
        return cell_ref(self.row, self.col)


@dataclass
class RawForm:
    declaration: FormSheet
    sheet_name: str
    fields: dict[str, FormField] = field(default_factory=dict)


@dataclass
class ReadWorkbook:
    """Everything read from one file, before any value is checked."""

    path: Path
    kind: WorkbookKind
    meta: dict[str, str]
    date1904: bool
    title: RawForm | None
    tables: dict[str, RawTable]
    forms: dict[str, RawForm]
    issues: list[Issue]
    size: int


class _Grid:
    """A sheet's values addressed by absolute 0-based row and column."""

    def __init__(self, data: SheetData) -> None:
        self.rows: list[list[Any]] = data.rows
        self.height = len(self.rows)
        self.width = max(map(len, self.rows), default=0)
        # cells that hold a merged range's value only by being covered by it
        self.covered: set[tuple[int, int]] = set()
        for ref, text in data.formulas.errors.items():
            self._put(ref, FormulaProblem(text))
        for ref in data.formulas.uncached:
            self._put(ref, FormulaProblem(None))
        height, width = self.height, self.width
        for (r0, c0), (r1, c1) in data.merged:
            # a merged cell's value lives in its top-left cell; every covered cell means it. Clipped to
            # the cells that hold data: a crafted range A1:XFD1048576 must not become 17 billion cells.
            r1, c1 = min(r1, height - 1), min(c1, width - 1)
            if not (0 <= r0 <= r1 and 0 <= c0 <= c1):
                continue
            top_left = self.get(r0, c0)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        self._set(r, c, top_left)
                        self.covered.add((r, c))

    def _put(self, ref: str, value: Any) -> None:
        try:
            r, c = parse_cell_ref(ref)
        except ValueError:
            return
        self._set(r, c, value)

    def _set(self, r: int, c: int, value: Any) -> None:
        while len(self.rows) <= r:
            self.rows.append([])
        row = self.rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value
        self.height = len(self.rows)
        self.width = max(self.width, c + 1)

    def get(self, r: int, c: int) -> Any:
        if r < len(self.rows) and c < len(self.rows[r]):
            value = self.rows[r][c]
            return None if _blank(value) else value
        return None


def is_summary(sheet_names: Iterable[str]) -> bool:
    """Whether a workbook with these sheets is a summary cxexcel made: «Свод», «Мониторинг» and «Файлы», and no
    «_meta» (which every standard workbook has)."""
    names = list(sheet_names)
    found = {normalize_title(name) for name in names}
    return catalog.META_SHEET not in names and all(normalize_title(n) in found for n in catalog.SUMMARY_MARKER_SHEETS)


def _blank(value: Any) -> bool:
    """An empty cell: nothing, empty text, or text of white space only (how staff «clear» a cell)."""
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


# an extra sheet up to this many cells of extent is parsed to tell values from white space
_PARSED_EXTRA_CELLS = 10_000


def _service_sheets(kind: WorkbookKind) -> tuple[str, ...]:
    """Sheets the template, `validate --mark` or the add-in put in a workbook of `kind` besides its data."""
    sheets: tuple[str, ...] = (catalog.META_SHEET, catalog.INSTRUCTION_SHEET, catalog.LISTS_SHEET,
                               catalog.CHECK_SHEET, catalog.DASHBOARD_SHEET)
    # the template adds live formulas over the answers (cxexcel/template/summary_formulas.py)
    if kind.key == MEASUREMENTS.key:
        sheets += (catalog.MEASUREMENT_SUMMARY_SHEET,)
    return sheets


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


class WorkbookReader:
    """Reads one workbook from a sheet source; structural findings become issues."""

    def __init__(self, source: SheetSource, limits: Limits = DEFAULT_LIMITS,
                 expected_kind: str | None = None) -> None:
        self.source = source
        self.file = source.file
        self.limits = limits
        self.expected_kind = expected_kind
        self.issues: list[Issue] = []

    def read(self) -> ReadWorkbook:
        source = self.source
        by_norm: dict[str, str] = {}
        same: dict[str, list[str]] = {}
        for name in source.sheet_names:
            by_norm.setdefault(normalize_title(name), name)
            same.setdefault(normalize_title(name), []).append(name)

        if is_summary(source.sheet_names):
            # its «Журнал консультаций» would otherwise pass for the federal log
            sheets = ", ".join(f"«{name}»" for name in catalog.SUMMARY_MARKER_SHEETS)
            raise UnreadableWorkbook(
                UnreadableReason.SUMMARY,
                f"Это свод, собранный cxexcel (листы {sheets}), а не книга по стандарту: его данные не "
                "читаются. Храните своды вне папки входящих файлов.",
            )
        meta = self._read_meta(by_norm)
        kind = self._identify(meta, by_norm)
        self._check_version(meta, kind)
        for wanted in (catalog.META_SHEET, catalog.TITLE_SHEET, *(d.name for d in kind.sheets)):
            names = same.get(normalize_title(wanted), [])
            if len(names) > 1:
                others = ", ".join(f"«{n}»" for n in names[1:])
                self._issue(
                    Code.SHEET_DUPLICATE,
                    f"Листы «{names[0]}» и {others} называются одинаково без учета регистра и пробелов: "
                    f"прочитан лист «{names[0]}», остальные не используются. Переименуйте или удалите лишние.",
                    sheet=names[0],
                )
        links = list(getattr(source, "external_links", ()) or ())
        if links:
            shown = ", ".join(f"«{link}»" for link in links[:3]) + (" и др." if len(links) > 3 else "")
            self._issue(
                Code.EXTERNAL_LINKS,
                f"Книга связана с другими файлами ({shown}): значения формул прочитаны такими, какими они были "
                "при последнем сохранении. Замените формулы значениями или разорвите связи "
                "(Данные → Изменить связи).",
            )

        title: RawForm | None = None
        title_name = by_norm.get(normalize_title(catalog.TITLE_SHEET))
        title_decl = FormSheet(catalog.TITLE_SHEET, title_fields(kind))
        if title_name is None:
            self._issue(Code.SHEET_MISSING, f"Нет листа «{catalog.TITLE_SHEET}».", sheet=catalog.TITLE_SHEET)
        elif (title_grid := self._load(title_name)) is not None:
            title = self._read_form(title_decl, title_name, title_grid)

        tables: dict[str, RawTable] = {}
        forms: dict[str, RawForm] = {}
        for decl in kind.sheets:
            found = by_norm.get(normalize_title(decl.name))
            if found is None:
                self._issue(Code.SHEET_MISSING, f"Нет листа «{decl.name}».", sheet=decl.name)
                continue
            name = found
            if not source.visible(name):
                self._issue(Code.SHEET_HIDDEN, f"Лист «{name}» скрыт; его данные прочитаны.", sheet=name)
            g = self._load(name)
            if g is None:
                continue
            if isinstance(decl, TableSheet):
                tables[decl.name] = self._read_table(decl, name, g)
            else:
                forms[decl.name] = self._read_form(decl, name, g)
        self._report_extra_sheets(kind)
        return ReadWorkbook(
            path=Path(self.file),
            kind=kind,
            meta=meta,
            date1904=source.date1904,
            title=title,
            tables=tables,
            forms=forms,
            issues=self.issues,
            size=source.size,
        )

    def _report_extra_sheets(self, kind: WorkbookKind) -> None:
        """A sheet the template does not have is never read: one holding values is reported, so that
        answers pasted on a copy «Замеры (2)» are not lost unnoticed."""
        targets = [catalog.TITLE_SHEET, *(s.name for s in kind.sheets)]
        known = {normalize_title(name) for name in (*targets, *_service_sheets(kind))}
        # the longest first: a copy of «Путь клиента (2)» is of that sheet, not of a shorter namesake
        by_length = sorted(((normalize_title(t), t) for t in targets), key=lambda pair: -len(pair[0]))
        for name in self.source.sheet_names:
            normalized = normalize_title(name)
            if normalized in known or not self._holds_values(name):
                continue
            text = f"Лист «{name}» не предусмотрен шаблоном; его данные не читаются."
            # «Замеры (2)», «Замеры сентябрь»: a copy of a template sheet, whose rows belong on the original
            original = next((t for n, t in by_length
                             if normalized.startswith(n) and not normalized[len(n):len(n) + 1].isalpha()), None)
            if original is not None:
                # «Титул» is every kind's, not one of `kind.sheets`: its copy holds fields, not rows
                table = original != catalog.TITLE_SHEET and isinstance(kind.sheet(original), TableSheet)
                what = "строки" if table else "данные"
                text += f" Перенесите {what} на лист «{original}»."
            self._issue(Code.SHEET_EXTRA, text, sheet=name)

    def _holds_values(self, name: str) -> bool:
        """Whether a sheet the reader does not read holds any value; an empty one is not parsed."""
        source = self.source
        try:
            rows, columns = source.dimensions(name)
            if not rows or not columns:
                return False
            if source.breach(name, self.limits) is not None or rows * columns > _PARSED_EXTRA_CELLS:
                # over the limits, or big enough that its values are data: said without parsing it (a sheet of
                # white space that size is not worth the time, across thousands of files)
                return True
            data = source.sheet(name)
        except UnreadableWorkbook:
            return True  # not readable: say so rather than drop it unseen
        if data.formulas.errors:
            return True
        return any(not _blank(value) for row in data.rows for value in row)

    def _issue(self, code: Code, message: str, **where: Any) -> None:
        self.issues.append(make_issue(code, self.file, message, **where))

    def _load(self, name: str) -> _Grid | None:
        """A sheet's grid, or None (and an issue) when it is over the limits: its size is known
        before it is parsed, so an oversized sheet costs nothing."""
        breach = self.source.breach(name, self.limits)
        if breach is not None:
            self._issue(Code.SHEET_TOO_LARGE, breach, sheet=name)
            return None
        return _Grid(self.source.sheet(name))

    def _read_meta(self, by_norm: dict[str, str]) -> dict[str, str]:
        name = by_norm.get(normalize_title(catalog.META_SHEET))
        if name is None:
            return {}
        g = self._load(name)
        if g is None:
            return {}
        meta: dict[str, str] = {}
        for r in range(g.height):
            key, value = g.get(r, 0), g.get(r, 1)
            if isinstance(key, str) and value is not None:
                meta[key.strip()] = _text(value).strip()
        return meta

    def _identify(self, meta: dict[str, str], by_norm: dict[str, str]) -> WorkbookKind:
        kind_key = meta.get("kind")
        if kind_key in KINDS:
            kind = KINDS[kind_key]
            if not any(normalize_title(s.name) in by_norm for s in kind.sheets):
                # «_meta» names a kind none of whose sheets is here: the sheets are the truth
                try:
                    guessed = self._guess_kind(by_norm)
                except UnreadableWorkbook:
                    guessed = kind
                if guessed is not kind:
                    self._issue(
                        Code.META_MISMATCH,
                        f"В листе «{catalog.META_SHEET}» указан вид книги «{kind.title}», но в книге нет ни "
                        f"одного его листа; по листам это книга «{guessed.title}», она и прочитана. "
                        "Используйте стандартный шаблон.",
                        sheet=catalog.META_SHEET,
                    )
                    kind = guessed
        else:
            kind = self._guess_kind(by_norm)
            if kind_key:
                self._issue(
                    Code.META_MISSING,
                    f"В листе «{catalog.META_SHEET}» указан неизвестный вид книги «{kind_key}»; "
                    f"вид определен по листам: «{kind.title}».",
                    sheet=catalog.META_SHEET,
                )
            else:
                self._issue(
                    Code.META_MISSING,
                    f"Нет служебного листа «{catalog.META_SHEET}»: вид книги определен по листам и "
                    f"заголовкам как «{kind.title}». Используйте стандартный шаблон.",
                )
        if self.expected_kind and kind.key != self.expected_kind:
            expected = KINDS[self.expected_kind].title
            raise UnreadableWorkbook(
                UnreadableReason.WRONG_KIND,
                f"Ожидалась книга «{expected}», а это книга «{kind.title}».",
            )
        return kind

    def _guess_kind(self, by_norm: dict[str, str]) -> WorkbookKind:
        best: WorkbookKind | None = None
        best_score = 0.0
        for kind in KINDS.values():
            score = sum(normalize_title(s.name) in by_norm for s in kind.sheets)
            # a kind whose every sheet is present beats one that merely shares a sheet name
            ratio = score / len(kind.sheets)
            if score and (best is None or (ratio, score) > (best_score, 0)):
                best, best_score = kind, ratio
        if best is None:
            raise UnreadableWorkbook(
                UnreadableReason.UNKNOWN_KIND,
                "Не удалось определить вид книги: в ней нет ни одного листа стандартных шаблонов "
                "(«Дорожная карта», «Путь клиента», «Замеры» и др.). Заполните стандартный шаблон.",
            )
        return best

    def _check_version(self, meta: dict[str, str], kind: WorkbookKind) -> None:
        version = meta.get("template_version")
        if not version:
            return
        try:
            found = tuple(int(p) for p in version.split("."))
            current = tuple(int(p) for p in catalog.TEMPLATE_VERSION.split("."))
        except ValueError:
            return
        if found[0] < current[0] or (found < current and found[0] != current[0]):
            raise UnreadableWorkbook(
                UnreadableReason.OLD_TEMPLATE,
                f"Книга «{kind.title}» заполнена по устаревшему шаблону версии {version} "
                f"(действующая — {catalog.TEMPLATE_VERSION}). Перенесите данные в актуальный шаблон "
                "(команда «cxexcel templates» или у координатора).",
            )
        if found > current:
            self._issue(
                Code.TEMPLATE_NEWER,
                f"Книга сделана более новой версией шаблона ({version}), чем эта программа "
                f"({catalog.TEMPLATE_VERSION}); обновите cxexcel.",
                sheet=catalog.META_SHEET,
            )

    def _read_table(self, decl: TableSheet, name: str, g: _Grid) -> RawTable:
        table = RawTable(decl, name)
        wanted = {normalize_title(c.title): c for c in decl.columns}
        best_row, best_hits = None, 0
        covered = g.covered
        for r in range(min(g.height, HEADER_SEARCH_ROWS)):
            hits = sum(
                isinstance(v, str) and v != "" and (r, c) not in covered and normalize_title(v) in wanted
                for c, v in enumerate(g.rows[r])
            )
            if hits > best_hits:
                best_row, best_hits = r, hits
        if best_row is None:
            self._issue(
                Code.HEADER_MISSING,
                f"На листе «{name}» не найдена строка заголовков (например, «{decl.columns[0].header}»). "
                "Не удаляйте и не переименовывайте заголовки шаблона.",
                sheet=name,
            )
            return table
        table.header_row = best_row
        extra: dict[int, str] = {}
        for c in range(g.width):
            if (best_row, c) in g.covered:
                # a header merged across columns names only its first column
                continue
            value = g.get(best_row, c)
            col = wanted.get(normalize_title(value)) if isinstance(value, str) else None
            if col is None:
                if value is not None:
                    extra[c] = _text(value).strip()
                continue
            if col.key in table.columns:
                first = cell_ref(best_row, table.columns[col.key])
                self._issue(
                    Code.COLUMN_DUPLICATE,
                    f"Столбец «{col.title}» встречается дважды; использован первый ({first}).",
                    sheet=name, cell=cell_ref(best_row, c), column=col.title, value=value,
                )
                extra[c] = _text(value).strip()
                continue
            table.columns[col.key] = c
        for col in decl.columns:
            if col.key not in table.columns:
                code = Code.COLUMN_MISSING if col.required else Code.COLUMN_OPTIONAL_MISSING
                self._issue(
                    code,
                    f"На листе «{name}» нет столбца «{col.header}».",
                    sheet=name, cell=cell_ref(best_row, 0), column=col.title,
                )
        indexes = list(table.columns.values())
        found = set(indexes)
        other_columns = [c for c in range(g.width) if c not in found]
        used_extra: set[int] = set()
        if g.covered or other_columns or not indexes:
            used_extra = self._read_rows(table, g, indexes, other_columns, extra)
        else:
            _read_columns(table, g.rows[best_row + 1:], best_row + 1, indexes)
        for c in sorted(used_extra | set(extra)):
            header = extra.get(c)
            what = f"Столбец «{header}»" if header else f"Столбец {column_letter(c)} без заголовка"
            if c in used_extra:
                self._issue(
                    Code.COLUMN_EXTRA,
                    f"{what} не предусмотрен шаблоном; его значения не используются в своде.",
                    sheet=name, cell=cell_ref(best_row, c), column=header, value=header,
                )
        return table

    @staticmethod
    def _read_rows(table: RawTable, g: _Grid, indexes: list[int], other_columns: list[int],
                   extra: dict[int, str]) -> set[int]:
        """Row by row, for a sheet with merged cells or columns the template does not have;
        returns the unknown columns that hold values."""
        assert table.header_row is not None
        header_row = table.header_row
        used_extra: set[int] = set()
        row_numbers: list[int] = []
        kept: list[list[Any]] = []
        covered = g.covered
        for r in range(header_row + 1, g.height):
            row = g.rows[r]
            width = len(row)
            # white space only is how staff «clear» a cell: it is as empty as ""
            values = [(None if isinstance(v := row[c], str) and (not v or v.isspace()) else v) if c < width else None
                      for c in indexes]
            extras = {c: v for c in other_columns if c < width and not _blank(v := row[c])} \
                if other_columns else {}
            if covered:
                own = any(v is not None and (r, c) not in covered for v, c in zip(values, indexes, strict=True))
            else:
                own = values.count(None) != len(values)
            if not own and not extras:
                # blank, or blank but for a merged label (a stage) spanning it
                continue
            row_numbers.append(r)
            kept.append(values)
            if extras:
                used_extra.update(extras)
                table.extras[r] = {extra.get(c) or cell_ref(header_row, c): v for c, v in extras.items()}
        table.row_numbers = row_numbers
        table.column_values = [list(column) for column in zip(*kept, strict=True)] if kept \
            else [[] for _ in indexes]
        return used_extra

    def _read_form(self, decl: FormSheet, name: str, g: _Grid) -> RawForm:
        form = RawForm(decl, name)
        wanted: dict[str, Column] = {normalize_title(f.title): f for f in decl.fields}
        for r in range(g.height):
            for c in range(min(g.width, FORM_VALUE_SPAN)):
                label = g.get(r, c)
                field_decl = wanted.get(normalize_title(label)) if isinstance(label, str) else None
                if field_decl is None:
                    continue
                # `get` takes a cell of white space for empty: a «cleared» cell does not hide the value beside it
                value_col = next((cc for cc in range(c + 1, c + 1 + FORM_VALUE_SPAN) if g.get(r, cc) is not None),
                                 c + 1)
                found = FormField(g.get(r, value_col), r, value_col)
                previous = form.fields.get(field_decl.key)
                # a section heading may repeat a field's label («Выводы»): the filled one wins, else the last
                if previous is None or previous.raw is None:
                    form.fields[field_decl.key] = found
                break
        for f in decl.fields:
            if f.key not in form.fields:
                self._issue(
                    Code.FIELD_MISSING,
                    f"На листе «{name}» нет поля «{f.header}».",
                    sheet=name, column=f.title,
                    severity=Severity.ERROR if f.required else Severity.WARNING,
                )
        return form


def _read_columns(table: RawTable, data: list[list[Any]], first: int, indexes: list[int]) -> None:
    """The common sheet, where every column is the template's and nothing is merged: transposed
    at C speed, so a row costs no Python work unless it is blank."""
    count = len(data)
    # rows are padded with None to the widest: a short row lacks only empty cells
    transposed = list(zip_longest(*data)) if count else []
    columns: list[list[Any]] = []
    sets: list[set[Any] | None] = []
    for c in indexes:
        column = transposed[c] if c < len(transposed) else (None,) * count
        # the set answers "any empty text?" and "any gap?" at once, and the checker needs it anyway
        try:
            distinct: set[Any] | None = set(column)
        except TypeError:  # an unhashable value: no set
            distinct = None
        if distinct is None:
            columns.append([None if _blank(v) else v for v in column])
        elif blanks := {v for v in distinct if v.__class__ is str and (not v or v.isspace())}:
            # white space only is how staff «clear» a cell: it is as empty as ""
            columns.append([None if v in blanks else v for v in column])
            distinct -= blanks
            distinct.add(None)
        else:
            columns.append(list(column))
        sets.append(distinct)
    rows = list(range(first, first + count))
    if columns and all(None in (column if distinct is None else distinct)
                       for column, distinct in zip(columns, sets, strict=True)):
        # only a row with a gap in every column can be blank
        blank = [i for i, v in enumerate(columns[0]) if v is None]
        for kept in columns[1:]:
            if not blank:
                break
            blank = [i for i in blank if kept[i] is None]
        if blank:
            dropped = set(blank)
            keep = [i for i in range(count) if i not in dropped]
            rows = [rows[i] for i in keep]
            columns = [[column[i] for i in keep] for column in columns]
            # a dropped row took its gaps with it
            sets = [None for _ in columns]
    table.row_numbers = rows
    table.column_values = columns
    table.column_sets = sets


def read_workbook(
    path: str | Path, limits: Limits = DEFAULT_LIMITS, expected_kind: str | None = None
) -> ReadWorkbook:
    """Read one file; raises UnreadableWorkbook (with a Russian message) if it cannot be read."""
    try:
        source = CalamineSource(Path(path), limits)
        try:
            return WorkbookReader(source, limits, expected_kind).read()
        finally:
            source.close()
    except (UnreadableWorkbook, KeyboardInterrupt, SystemExit):
        raise
    except MemoryError as exc:
        raise UnreadableWorkbook(
            UnreadableReason.TOO_LARGE, "Файлу не хватило памяти: он слишком велик для проверки. Файл не обработан."
        ) from exc
    except BaseException as exc:  # a hostile or broken file must never become a traceback
        raise UnreadableWorkbook(
            UnreadableReason.CORRUPT,
            f"Файл поврежден: его не удалось прочитать ({type(exc).__name__}). Откройте файл в Excel, "
            "сохраните заново и пришлите еще раз.",
        ) from exc


def read_values(
    source: ValuesSource, limits: Limits = DEFAULT_LIMITS, expected_kind: str | None = None
) -> ReadWorkbook:
    """Read a workbook whose sheets are already values in memory (the add-in's case)."""
    return WorkbookReader(source, limits, expected_kind).read()
