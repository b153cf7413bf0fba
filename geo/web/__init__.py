"""The marking app for kommun staff (FastAPI): mark traffic spots, report EST observations."""

from __future__ import annotations

from geo.web.app import create_app

__all__ = ["create_app"]
