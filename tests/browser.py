"""Helpers for real-browser tests; the server and Chromium parts live in nncore.serve (the
benchmark uses them too)."""

from __future__ import annotations

from nncore.serve import (CHROMIUM_FLAGS, NO_CHROMIUM, ROOT, StreamlitServer, chromium_path,  # noqa: F401
                          free_port, wait_for_app)


def set_number(page, key: str, value) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(300)
    wait_for_app(page)
