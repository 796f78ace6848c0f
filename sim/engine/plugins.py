"""A researcher's own model class, named in a file as ``module:Class`` or ``file.py:Class``.

``sim.run(scenario, model_class=MyModel)`` takes the class itself; an experiment file
names it as text (``model = "mypackage.models:MyModel"``, or ``"models.py:MyModel"``
relative to the experiment file) so that every batch worker can import it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from functools import cache
from pathlib import Path

from sim.engine.model import EmergencyModel
from sim.errors import ScenarioError


def resolve_model_spec(spec: str, *, relative_to: Path | None = None) -> str:
    """Return ``spec`` with a relative ``file.py`` made absolute (against ``relative_to``)."""
    where, _, name = spec.rpartition(":")
    if where.endswith(".py") and relative_to is not None and not Path(where).is_absolute():
        where = str((relative_to / where).resolve())
    return f"{where}:{name}"


@cache
def load_model_class(spec: str) -> type[EmergencyModel]:
    """Import the :class:`EmergencyModel` subclass ``module:Class`` or ``file.py:Class``.

    Raises
    ------
    ScenarioError
        When the text is not of that form, the module or file cannot be imported, or
        the name is not a subclass of ``EmergencyModel``.
    """
    where, colon, name = spec.rpartition(":")
    if not colon or not where or not name.isidentifier():
        raise ScenarioError(f"model = {spec!r} is not 'package.module:Class' or 'file.py:Class'")
    try:
        if where.endswith(".py"):
            path = Path(where)
            if not path.is_file():
                raise ScenarioError(f"model = {spec!r}: no file {path}")
            module_name = f"sim_user_model_{abs(hash(str(path.resolve())))}"
            loader = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(loader)
            sys.modules[module_name] = module
            loader.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except ScenarioError:
        raise
    except Exception as exc:  # the user's module may raise anything while importing
        raise ScenarioError(
            f"model = {spec!r}: importing {where} failed ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''})"
        ) from None
    cls = getattr(module, name, None)
    if not (isinstance(cls, type) and issubclass(cls, EmergencyModel)):
        raise ScenarioError(
            f"model = {spec!r}: {where} has no subclass of sim.EmergencyModel named {name!r}"
        )
    return cls
