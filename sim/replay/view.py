"""The map area of a replay: frame size and the box of the network it shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.replay.state import Timeline


@dataclass(frozen=True, kw_only=True)
class FrameOptions:
    """Frame size and map area.

    Attributes
    ----------
    width_px, height_px
        Frame size in pixels (even numbers for MP4).
    bbox_m
        ``(west, south, east, north)`` in the network's metres; None = the whole network.
    """

    width_px: int = 1280
    height_px: int = 720
    bbox_m: tuple[float, float, float, float] | None = None


def network_bbox_m(timeline: Timeline, margin: float = 0.02) -> tuple[float, float, float, float]:
    """Return the network's extent with a margin, ``(west, south, east, north)`` in metres."""
    net = timeline.run.network
    west, east = float(net.x_m.min()), float(net.x_m.max())
    south, north = float(net.y_m.min()), float(net.y_m.max())
    pad = margin * max(east - west, north - south, 1000.0)
    return west - pad, south - pad, east + pad, north + pad


def fit_bbox(
    bbox_m: tuple[float, float, float, float], aspect: float
) -> tuple[float, float, float, float]:
    """Grow ``bbox_m`` around its centre to width / height = ``aspect``."""
    west, south, east, north = bbox_m
    width, height = east - west, north - south
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    cx, cy = (west + east) / 2, (south + north) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2
