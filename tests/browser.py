"""Helpers for real-browser tests; the server and Chromium parts live in bench.serve (the
benchmark uses them too)."""

from __future__ import annotations

from bench.serve import (CHROMIUM_FLAGS, NO_CHROMIUM, ROOT, StreamlitServer, chromium_path,  # noqa: F401
                         free_port, set_number, wait_for_app)
