from __future__ import annotations

import httpx
import pytest


@pytest.fixture
async def http(hub):
    """An HTTP client for the test's hub."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=20) as client:
        yield client
