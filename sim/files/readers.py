"""Every file the tool reads, read through one function per kind that fails cleanly.

Each reader turns any way a file can be unreadable (missing, a folder, not UTF-8, not
parseable, truncated, damaged, columns missing) into one :class:`FileError` line naming
the file, what is wrong and ``fix``: what the user can do about it (re-run, resume,
delete the file). Nothing here writes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


class FileError(InputError):
    """A file that cannot be read as what it should be; the message says what to do."""


def first_line(exc: BaseException, limit: int = 160) -> str:
    """Return the first line of an exception's message, shortened (for one-line errors)."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fail(path: Path, problem: str, fix: str) -> FileError:
    return FileError(f"{path}: {problem}" + (f"; {fix}" if fix else ""))


def check_file(path: str | Path, *, what: str = "file", fix: str = "") -> Path:
    """Return ``path`` if it is a readable file; else raise naming what it is instead."""
    path = Path(path)
    if not path.exists():
        raise FileError(f"{what} not found: {path}" + (f"; {fix}" if fix else ""))
    if path.is_dir():
        raise _fail(path, f"is a folder, not a {what}", fix or "give the file inside it")
    if not path.is_file():
        raise _fail(path, f"is not a regular file, so it cannot be a {what}", fix)
    if not os.access(path, os.R_OK):
        raise _fail(path, "cannot be read (no permission)", fix or "check its permissions")
    return path


def read_text(path: str | Path, *, what: str = "text file", fix: str = "") -> str:
    """Read a UTF-8 text file (a byte-order mark is allowed and dropped)."""
    path = check_file(path, what=what, fix=fix)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            path,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            fix or "save it as UTF-8",
        ) from None


def read_toml(path: str | Path, *, what: str = "TOML file", fix: str = "") -> tuple[dict, str]:
    """Read a TOML file; return the parsed table and the text (for line numbers)."""
    import tomllib

    text = read_text(path, what=what, fix=fix)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise _fail(Path(path), f"is not valid TOML ({first_line(exc)})", fix) from None


def read_json(path: str | Path, *, what: str = "JSON file", fix: str = "") -> Any:
    """Read a JSON file (``NaN`` and ``Infinity`` from older versions are accepted)."""
    text = read_text(path, what=what, fix=fix)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(Path(path), f"is not valid JSON ({first_line(exc)})", fix) from None


def read_json_object(
    path: str | Path, *, what: str, keys: Iterable[str] = (), fix: str = ""
) -> dict:
    """Read a JSON file holding an object with at least ``keys``."""
    value = read_json(path, what=what, fix=fix)
    if not isinstance(value, dict):
        raise _fail(Path(path), f"holds a JSON {type(value).__name__}, not a {what}", fix)
    missing = [k for k in keys if k not in value]
    if missing:
        raise _fail(Path(path), f"is not a complete {what} (no {', '.join(missing)})", fix)
    return value


def read_parquet(
    path: str | Path,
    *,
    what: str = "Parquet table",
    columns: Iterable[str] = (),
    only: list[str] | None = None,
    fix: str = "",
) -> pd.DataFrame:
    """Read a Parquet file with at least ``columns`` (``only``: read just these)."""
    import pandas as pd
    import pyarrow as pa

    path = check_file(path, what=what, fix=fix)
    try:
        table = pd.read_parquet(path, columns=only)
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise _fail(path, f"is not a readable {what} ({first_line(exc)})", fix) from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise _fail(path, f"is not a complete {what} (no column {', '.join(missing)})", fix)
    return table


def read_csv(
    path: str | Path,
    *,
    what: str = "CSV table",
    columns: Iterable[str] = (),
    text_only: bool = False,
    fix: str = "",
) -> pd.DataFrame:
    """Read a CSV file (UTF-8, optional byte-order mark) with at least ``columns``.

    Column names are stripped and compared in lower case; two columns whose names
    differ only by case or spaces are an error, as is a file with no rows. With
    ``text_only`` every cell stays text (empty cells are empty strings).
    """
    import io

    import pandas as pd

    text = read_text(path, what=what, fix=fix)
    options: dict[str, Any] = {"skipinitialspace": True}
    if text_only:
        options.update(dtype=str, keep_default_na=False)
    try:
        table = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.EmptyDataError:
        raise _fail(Path(path), f"is empty, not a {what}", fix or "give a header line") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise _fail(Path(path), f"is not a readable {what} ({first_line(exc)})", fix) from None
    names = [str(c).strip().lower() for c in table.columns]
    seen: dict[str, str] = {}
    for raw, name in zip(table.columns, names, strict=True):
        if name in seen:
            raise _fail(
                Path(path),
                f"has two columns named {seen[name]!r} and {str(raw)!r}",
                "keep one (names are compared without case)",
            )
        seen[name] = str(raw)
    table.columns = names
    missing = [c for c in columns if c not in names]
    if missing:
        raise _fail(
            Path(path),
            f"has no column {', '.join(missing)}",
            f"the header must have {','.join(columns)}",
        )
    if len(table) == 0:
        raise _fail(Path(path), "has no rows under the header", fix)
    return table
