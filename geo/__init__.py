"""Trygghetskartan: hotspots, lägesbild and patrol planning for a Swedish medborgarlöfte."""

from __future__ import annotations

__version__ = "0.1.0"
