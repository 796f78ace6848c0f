"""Who acts on a warning: the compliance model, one overridable class.

A household decides each time a warning reaches it (by a channel, at a higher level,
or at the door). Following the Protective Action Decision Model (Lindell & Perry 2012,
*Risk Analysis* 32(4): 616–632), the decision rises with the warning's level, with
repeated contacts and with environmental cues:

``logit p = logit p_level + ln(contact_odds_ratio) x (contacts - 1)
+ ln(danger_odds_ratio) x danger``

- ``p_level``: ``behaviour.compliance`` of the level (the first contact);
- ``contacts``: how many times the household has been warned, this time included;
- ``danger``: 1 when the hazard is visible at the household's node (water at the door,
  the smell of gas, a slide nearby), else 0.

The two odds ratios are assumptions within the effects the meta-analysis of Huang,
Lindell & Prater (2016, *Environment and Behavior* 48(8): 991–1029) reports for
official warnings received from more sources and for environmental cues; calibrate
them to local drills. A researcher changes the decision by subclassing
:class:`ComplianceModel` and naming it on the model (``compliance_class``).
"""

from __future__ import annotations

import numpy as np

from sim.scenarios.behaviour import WARNING_LEVELS, BehaviourSpec

_EPS = 1e-9


class ComplianceModel:
    """Probability that a household acts on a warning, and the draw.

    Parameters
    ----------
    behaviour
        The scenario's behaviour settings (level compliance, odds ratios).
    """

    def __init__(self, behaviour: BehaviourSpec) -> None:
        self.behaviour = behaviour
        self._base = np.array([behaviour.compliance[lvl] for lvl in WARNING_LEVELS])

    def probability(self, level: int, contacts: np.ndarray, danger: np.ndarray) -> np.ndarray:
        """Probability of acting, per household (vectorised).

        Parameters
        ----------
        level
            Index of the warning level in ``WARNING_LEVELS``.
        contacts
            Warnings the household has received, this one included (>= 1).
        danger
            Whether the hazard is visible at the household.
        """
        b = self.behaviour
        p0 = float(np.clip(self._base[level], _EPS, 1.0 - _EPS))
        logit = (
            np.log(p0 / (1.0 - p0))
            + np.log(b.contact_odds_ratio) * (np.asarray(contacts, float) - 1.0)
            + np.log(b.danger_odds_ratio) * np.asarray(danger, float)
        )
        p = 1.0 / (1.0 + np.exp(-logit))
        if self._base[level] <= 0.0:
            return np.zeros_like(p)
        return np.where(self._base[level] >= 1.0, 1.0, p)

    def decide(
        self,
        rng: np.random.Generator,
        level: int,
        contacts: np.ndarray,
        danger: np.ndarray,
    ) -> np.ndarray:
        """Draw who acts (one uniform draw per household, in the order given)."""
        p = self.probability(level, contacts, danger)
        return rng.random(p.shape[0]) < p
