"""Every docstring example in ``sim`` runs and shows what it says (``doctest``)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


#: Modules whose docstrings hold examples (``__main__`` would run the command itself).
WITH_EXAMPLES = sorted(
    _module(p)
    for p in (ROOT / "sim").rglob("*.py")
    if p.name != "__main__.py" and ">>>" in p.read_text()
)


def test_some_modules_have_examples() -> None:
    assert {"sim.siting.models", "sim.batch.keys"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
