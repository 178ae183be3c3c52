"""Reading spreadsheets (CSV in UTF-8 or GBK, XLSX) into rows, and the import report."""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from openpyxl import load_workbook

from estate.core.errors import ValidationFailed

Progress = Callable[[int, int], None]


def numbered(
    rows: Sequence[dict[str, str]], progress: Progress | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row with its line number in the spreadsheet (the header is line 1), telling `progress` as it goes."""
    for i, row in enumerate(rows, start=2):
        if progress:
            progress(i - 1, len(rows))
        yield i, row


@cache
def _columns() -> dict:
    return tomllib.loads((Path(__file__).parents[1] / "data" / "columns.toml").read_text(encoding="utf-8"))


def _key(text: str) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").split())


@cache
def _header_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for fld, names in _columns().items():
        if fld == "values":
            continue
        for name in names:
            out[_key(name)] = fld
    return out


def canonical_value(kind: str, value: str) -> str | None:
    """Map a cell ('业主', 'Tenant', '空置') onto a stored value ('owner', 'tenant', 'vacant'), or None."""
    wanted = _key(value)
    for canonical, names in _columns()["values"][kind].items():
        if wanted in {_key(n) for n in names}:
            return canonical
    return None


def normalise_header(name: str) -> str:
    """The field a column header stands for ('房号' -> 'unit'); unknown headers are kept as typed."""
    return _header_map().get(_key(name), _key(name))


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("bad_encoding")


def read_table(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts keyed by normalised field names; cells are stripped strings."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = [
                ["" if c is None else str(c) for c in row] for row in wb.active.iter_rows(values_only=True)
            ]
        finally:
            wb.close()
    elif path.suffix.lower() in (".csv", ".txt"):
        rows = list(csv.reader(io.StringIO(_decode(path.read_bytes()))))
    else:
        raise ValidationFailed("unsupported_file", suffix=path.suffix)
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        return []
    header = [normalise_header(h) for h in rows[0]]
    out = []
    for row in rows[1:]:
        cells = [str(c).strip() for c in row] + [""] * (len(header) - len(row))
        out.append({h: cells[i] for i, h in enumerate(header) if h})
    return out


@dataclass(frozen=True)
class RowError:
    row_number: int  # as in the spreadsheet: the header is row 1
    code: str
    detail: str = ""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    def error(self, row_number: int, code: str, detail: str = "") -> None:
        self.errors.append(RowError(row_number, code, detail))

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"created {self.created}, updated {self.updated}, skipped {self.skipped}, errors {len(self.errors)}"
