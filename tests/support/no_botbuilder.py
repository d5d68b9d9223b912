"""A pytest plugin (`-p tests.support.no_botbuilder`): botbuilder, botframework and msrest cannot be imported.

Loaded before any test module, it puts a finder first on the import path that refuses those packages, as
if they were not installed; at the end it checks none was imported and that the refusal held, and says so
in one line (`no_botbuilder: ...`) that `tests/teams/test_teams_without_botbuilder.py` reads.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
from typing import Any

import pytest

REFUSED = ("botbuilder", "botframework", "msrest")


def refused(name: str) -> bool:
    return name.split(".", 1)[0] in REFUSED


class RefuseBotbuilder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if refused(fullname):
            raise ModuleNotFoundError(f"No module named {fullname!r} (refused by the test)", name=fullname)
        return None


if any(refused(name) for name in sys.modules):
    raise RuntimeError("botbuilder or msrest was imported before the plugin could refuse it")
sys.meta_path.insert(0, RefuseBotbuilder())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    imported = sorted(name for name in sys.modules if refused(name) and sys.modules[name] is not None)
    held = True
    for name in REFUSED:
        try:
            importlib.import_module(name)
            held = False
        except ModuleNotFoundError:
            pass
    print(f"\nno_botbuilder: imported {imported}, refusal held: {held}")
    if imported or not held:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
