"""The browser tests' own harness: it must work for a developer who is not root."""
from __future__ import annotations

import os

from . import browser as harness


async def test_the_browsers_start_for_a_developer_who_is_not_root(monkeypatch):
    """Raising a thread's priority (a negative nice) needs root: without it the
    harness goes on, the browsers niced below the hub as before."""
    real = os.setpriority
    refused = []

    def as_a_user(which, who, prio):
        if prio < 0:
            refused.append(prio)
            raise PermissionError(13, "Permission denied")
        return real(which, who, prio)
    monkeypatch.setattr(harness.os, "setpriority", as_a_user)
    async with harness.chromium() as browser:
        page = await browser.new_page()
        await page.set_content("<p>ok</p>")
        assert await page.inner_text("p") == "ok"
    assert refused == [-5]
