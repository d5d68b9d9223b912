"""The Teams surface runs on the Microsoft 365 Agents SDK alone, with botbuilder and msrest unimportable.

A machine may still have botbuilder installed (it is no dependency of Tonewatch's); this runs real Teams
tests in a fresh pytest process whose imports refuse botbuilder, botframework and msrest
(`tests/support/no_botbuilder.py`), so the proof does not depend on what is installed: the app is built
by the composition root, a signed activity's token is verified and its turn run, forged ones are
refused, and an alert goes out by proactive posts and is acknowledged from its card.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

END_TO_END = (
    "tests/teams/test_teams_auth.py::test_a_valid_token_is_accepted",
    "tests/teams/test_teams_auth.py::test_a_forged_token_is_refused_and_nothing_is_stored",
    "tests/teams/test_teams_alerts.py::test_acknowledge_sets_the_status_and_shows_who_on_the_card",
    "tests/teams/test_teams_alerts.py::test_use_draft_sends_the_confirmed_reply_to_the_customer_once",
    "tests/teams/test_teams_listening.py::test_another_tenants_message_is_stored_as_the_customers_and_alerts_the_internal_channel",
    "tests/teams/test_teams_listening.py::test_a_redelivered_message_is_stored_and_alerted_once",
    "tests/teams/test_teams_listening.py::test_an_edit_is_analyzed_again_and_updates_the_alert_and_a_delete_erases",
    "tests/teams/test_teams_listening.py::test_an_external_person_in_a_personal_chat_gets_the_refusal_only",
)


@pytest.mark.slow
def test_the_teams_surface_runs_with_botbuilder_and_msrest_unimportable() -> None:
    run = subprocess.run(
        [
            sys.executable,
            # In this one process (`-n 0`): the plugin's check covers the process that ran the tests.
            *("-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-p", "tests.support.no_botbuilder"),
            *END_TO_END,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "no_botbuilder: imported [], refusal held: True" in output
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) >= len(END_TO_END), output[-4000:]
    assert " failed" not in output and "error" not in output.lower()
