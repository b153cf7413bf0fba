"""Run the ``geo`` command line as ``python -m geo``."""

from __future__ import annotations

from geo.cli import main

if __name__ == "__main__":
    main()
