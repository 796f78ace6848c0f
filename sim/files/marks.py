"""Files sim writes carry a mark, so that it never takes a user's file for its own.

A run folder, a batch or a report is recognised by what it holds (:mod:`sim.files.outputs`).
The single files other commands add to such a folder (replays, figures), or write where
the user's ``--out`` says, are recognised by a mark inside them:

- PNG: a ``Software`` text chunk that starts with :data:`MARK`;
- GIF: a comment that starts with :data:`MARK`;
- MP4: :data:`MARK` in the container's ``comment`` metadata (ffmpeg's ``-metadata``),
  looked for in the ``moov`` box only;
- HTML: ``<meta name="generator" content="border-sim ...">`` in the page's head.

A file of those kinds without the mark is the user's: sim neither replaces it nor
removes it as stale. Other files (Parquet, CSV, JSON) belong to the folder they are in.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Callable, Collection
from pathlib import Path

#: What every marked file starts its mark with (the distribution's name).
MARK = "border-sim"
#: The HTML head line of a replay page.
HTML_GENERATOR = f'<meta name="generator" content="{MARK} replay">'
#: ffmpeg output options that mark an MP4.
MP4_METADATA: tuple[str, ...] = ("-metadata", f"comment={MARK} replay")
#: Suffixes of the files that carry a mark.
MARKED_SUFFIXES: frozenset[str] = frozenset({".png", ".gif", ".mp4", ".html"})
#: Bytes of an HTML page searched for the mark (it is in the head).
_HTML_HEAD_BYTES = 4096


def png_writer(fig, *, dpi: int, **text: str) -> Callable[[Path], None]:
    """Return a writer of ``fig`` as a marked PNG (for :func:`~sim.files.atomic.write_atomic`).

    ``text`` adds PNG text chunks (``Title=...``) beside the mark (``Software``).
    """

    def write(path: Path) -> None:
        fig.savefig(path, dpi=dpi, format="png", metadata={"Software": MARK, **text})

    return write


def gif_comment() -> bytes:
    """Return the comment of a GIF sim writes (Pillow's ``comment=``)."""
    return f"{MARK} replay".encode()


def is_sim_file(path: str | Path) -> bool:
    """Whether ``path`` is a PNG, GIF, MP4 or HTML file that sim wrote (has the mark)."""
    path = Path(path)
    if not path.is_file() or path.is_symlink():
        return False
    suffix = path.suffix.lower()
    try:
        if suffix in (".png", ".gif"):
            from PIL import Image

            with Image.open(path) as image:  # whatever image it really is (a JPEG named .png)
                found = image.info.get("Software" if suffix == ".png" else "comment", "")
            if isinstance(found, bytes):
                found = found.decode("utf-8", "replace")
            return isinstance(found, str) and found.startswith(MARK)
        if suffix == ".html":
            with path.open("rb") as f:
                return HTML_GENERATOR.encode() in f.read(_HTML_HEAD_BYTES)
        if suffix == ".mp4":
            return MARK.encode() in _mp4_moov(path)
    except (OSError, ValueError, SyntaxError):  # not an image of that kind, unreadable
        return False
    return False


def _mp4_moov(path: Path) -> bytes:
    """Return the top-level ``moov`` box of an MP4 (empty when it has none)."""
    with path.open("rb") as f:
        while header := f.read(8):
            if len(header) < 8:
                return b""
            size, kind = struct.unpack(">I4s", header)
            skip = size - 8
            if size == 1:  # 64-bit size follows
                size = struct.unpack(">Q", f.read(8))[0]
                skip = size - 16
            elif size == 0:  # to the end of the file
                skip = -1
            if kind == b"moov":
                return f.read(skip) if skip >= 0 else f.read()
            if skip < 0:
                return b""
            f.seek(skip, 1)
    return b""


def remove_stale(path: str | Path, names: Collection[str] = ()) -> list[str]:
    """Remove ``path``, a file or folder sim wrote earlier; return what was kept.

    A PNG, GIF, MP4 or HTML file is removed only when it carries the mark; a folder
    loses the files sim writes in it (``names``) that carry the mark, and goes when
    nothing else is left (a copy of a figure under a name of the user's stays). Other
    files are removed (they belong to the folder sim recognised). Returns the names
    kept (the user's files), relative to ``path``'s folder.
    """
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        kept = []
        for entry in sorted(path.iterdir()):
            ours = entry.name in names and entry.is_file() and not entry.is_symlink()
            if ours and is_sim_file(entry):
                entry.unlink()
            else:
                kept.append(f"{path.name}/{entry.name}")
        if not kept:
            shutil.rmtree(path)
        return kept
    if path.suffix.lower() in MARKED_SUFFIXES and not is_sim_file(path):
        return [path.name]
    path.unlink(missing_ok=True)
    return []
