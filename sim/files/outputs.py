"""Output folders that cannot hurt: checked before any work, written file by file.

Rules every command follows for the folder it writes:

- a new or empty folder is fine; so is a folder this tool wrote before (a command
  recognises its own: a run folder by its ``summary.json``, a batch by its
  ``manifest.json``, a figures folder by its file names); anything else is refused
  unless the user passes ``--force``, and even then only the tool's own files are
  replaced: nothing else in the folder is touched, and a folder holding a file of the
  user's under a name the tool writes is refused, ``--force`` or not;
- the folder (or the nearest folder above it that exists) must be a writable folder,
  checked before any work so that a long run never fails at the end;
- names that come from scenario or experiment files pass through :func:`safe_name`,
  so a default folder never leaves ``results/``;
- every file is written under a temporary name and renamed (:func:`write_atomic`);
  :func:`write_files` marks the folder as being written (``.sim-writing``) until the
  last file is in place, so a folder a killed run left half-replaced is recognised,
  refused by readers and replaced by the next run. Temporary files of processes that
  no longer run are removed when the folder is next written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

from sim.errors import InputError
from sim.files.atomic import write_atomic
from sim.files.marks import is_sim_file, remove_stale

#: Present while :func:`write_files` replaces a folder's files.
WRITING_MARK = ".sim-writing"
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.(partial|old)$")


class OutputError(InputError):
    """An output path that would lose or spill files; the message says what would work."""


def safe_name(text: str, *, fallback: str = "run") -> str:
    """Make a file name of ``text``: letters, digits, ``._-``; no path parts, no leading dot.

    >>> safe_name("../../../somewhere/ESCAPED")
    'somewhere_ESCAPED'
    >>> safe_name("flood 2020 (Tongnan)")
    'flood_2020_Tongnan'
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text)
    name = re.sub(r"\.{2,}", "_", name).strip("._-")
    name = re.sub(r"_+", "_", name)
    return name[:80] or fallback


def check_writable_folder(path: str | Path, *, option: str = "--out") -> Path:
    """Refuse ``path`` unless it is a folder, or can be made one, that this user can write."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{_named(option, path)} is a file; give a folder")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(
            f"{_named(option, path)} cannot be made: {existing} is a file, not a folder; "
            "give a folder elsewhere"
        )
    try:  # permissions alone do not tell (root, read-only mounts, /proc): make and remove
        os.rmdir(tempfile.mkdtemp(prefix=".sim-probe-", dir=existing))
    except OSError as exc:
        raise OutputError(
            f"{_named(option, path)} cannot be written: nothing can be made in {existing} "
            f"({exc.strerror}); give a folder you can write"
        ) from None
    return path


def foreign_entries(path: Path, is_ours: Callable[[Path], bool]) -> list[str]:
    """Names in folder ``path`` that the tool did not write (empty when it is ours)."""
    if not path.is_dir():
        return []
    entries = [p for p in path.iterdir() if not _TEMPORARY.match(p.name)]
    if not entries or is_ours(path) or (path / WRITING_MARK).exists():
        return []
    return sorted(p.name for p in entries)


def check_output_folder(
    path: str | Path,
    *,
    is_ours: Callable[[Path], bool],
    force: bool = False,
    what: str = "output",
    option: str = "--out",
    writes: Collection[str] | Callable[[str], bool] = (),
) -> Path:
    """Check an output folder before any work (see the module docstring).

    Parameters
    ----------
    path
        The folder to write.
    is_ours
        Tells a folder this command (or the tool) wrote before.
    force
        Write into a folder holding other files too (only the tool's files change).
    what
        What is written, for the message (``"run"``, ``"batch"``, ``"figures"``).
    option
        The command-line option that named the folder.
    writes
        Names the command writes, or removes as stale, in the folder (or a test of a
        name): a file of the user's under such a name is never replaced.
    """
    path = check_writable_folder(path, option=option)
    # a replay or figure sim wrote (it carries the mark) is no one else's, in any folder
    foreign = [name for name in foreign_entries(path, is_ours) if not is_sim_file(path / name)]
    would_write = writes if callable(writes) else frozenset(writes).__contains__
    clash = [name for name in foreign if would_write(name)]
    named = _named(option, path)
    if clash:
        raise OutputError(
            f"{named} holds {_some(clash)}, which sim did not write but would replace; "
            f"move {'it' if len(clash) == 1 else 'them'} or give a new or empty folder "
            f"for the {what} (--force writes beside other files, never over them)"
        )
    if foreign and not force:
        raise OutputError(
            f"{named} already holds files sim did not write ({_some(foreign)}); give a new "
            f"or empty folder for the {what}, or add --force to write sim's files into it "
            "(nothing else there is changed)"
        )
    return path


def _named(option: str, path: Path) -> str:
    """``--out DIR`` when the user named the folder with ``option``, else the folder alone."""
    return f"{option} {path}" if option else str(path)


def _some(names: list[str]) -> str:
    """Return the first three ``names`` quoted, and ``...`` when there are more."""
    return ", ".join(repr(n) for n in names[:3]) + (" ..." if len(names) > 3 else "")


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove temporary files and folders of processes that no longer run; return them."""
    removed = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        match = _TEMPORARY.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_files(
    out_dir: str | Path,
    files: dict[str, Callable[[Path], object]],
    *,
    last: str,
    replaces: Iterable[str] = (),
    folders: Mapping[str, Collection[str]] | None = None,
) -> Path:
    """Write ``files`` into ``out_dir``, each atomically, ``last`` after all the others.

    Parameters
    ----------
    out_dir
        The folder (created with its parents if needed).
    files
        File name -> function writing the whole file to the path it is given.
    last
        The file whose presence means the folder is complete (e.g. ``summary.json``);
        it is removed first and written last.
    replaces
        Names of files (or folders) the tool writes here and that are stale once this
        write is done: removed when ``files`` does not write them again (e.g. a
        previous run's ``hazard_frames.parquet`` or its replay), replays and figures
        only when sim wrote them (:func:`sim.files.marks.remove_stale`).
    folders
        For folders among ``replaces``, the names sim writes in them: only those go.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    remove_stale_temporaries(out_dir.parent)  # folders of the earlier folder-swap scheme
    mark = out_dir / WRITING_MARK
    mark.write_text(f"{os.getpid()}\n")
    (out_dir / last).unlink(missing_ok=True)
    for name, write in files.items():
        if name != last:
            write_atomic(out_dir / name, write)
    for name in replaces:
        stale = out_dir / name
        if name not in files and (stale.exists() or stale.is_symlink()):
            # a replay or figure of the user's under that name stays
            remove_stale(stale, (folders or {}).get(name, ()))
    write_atomic(out_dir / last, files[last])
    mark.unlink(missing_ok=True)
    return out_dir
