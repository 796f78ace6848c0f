"""Hazards: the physics of plumes, floods and slides, and the hazards of a run.

Physics, as pure functions on arrays: :mod:`sim.hazards.plume` (Gaussian plume),
:mod:`sim.hazards.exposure` (AEGL toxic load), :mod:`sim.hazards.river` (flood wave and
depths), :mod:`sim.hazards.slopes` (slides). Hazards of a run follow the protocol of
:mod:`sim.hazards.base`, one module each (:mod:`sim.hazards.gas_leak`,
:mod:`sim.hazards.flood`, :mod:`sim.hazards.landslide`), stepped by
:class:`~sim.hazards.engine.HazardEngine`.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "base": ["Hazard", "HazardStep"],
        "engine": ["HAZARD_CLASSES", "HazardEngine"],
        "flood": ["FloodHazard"],
        "gas_leak": ["GasLeakHazard"],
        "landslide": ["LandslideHazard"],
    },
)
