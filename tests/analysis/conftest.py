"""What the analysis tests share: the offline analyzer as shipped (a module may define its own)."""

from __future__ import annotations

import pytest

from bot.analysis.offline import OfflineAnalyzer


@pytest.fixture(scope="session")
def analyzer() -> OfflineAnalyzer:
    return OfflineAnalyzer()
