"""`tonewatch teams-package`: a Teams app package ready to upload, or a clear refusal."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from click.testing import CliRunner
from PIL import Image

from bot.cli import cli

APP_ID = "b0b0b0b0-1111-2222-3333-444444444444"


def test_the_package_holds_the_manifest_and_both_icons(monkeypatch, tmp_path):
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "client-secret")
    result = CliRunner().invoke(
        cli, ["teams-package", "--out", str(tmp_path / "out"), "--domain", "bot.home.test"]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "tonewatch-teams.zip") as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert manifest["manifestVersion"] == "1.25" and manifest["$schema"].endswith(
        "/v1.25/MicrosoftTeams.schema.json"
    )
    # The bot can be added to shared and private channels (customer conversations with other organisations).
    assert manifest["supportedChannelTypes"] == ["sharedChannels", "privateChannels"]
    assert manifest["id"] == APP_ID and manifest["webApplicationInfo"]["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert {c["title"] for c in bot["commandLists"][0]["commands"]} >= {
        "watch",
        "alerts",
        "digest here",
        "help",
    }
    rsc = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert rsc == [
        {"name": "ChannelMessage.Read.Group", "type": "Application"},
        {"name": "ChatMessage.Read.Chat", "type": "Application"},
        {"name": "ChannelMember.Read.Group", "type": "Application"},
    ]
    assert manifest["validDomains"] == ["bot.home.test"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert all(url.startswith("https://") for url in manifest["developer"].values() if url.startswith("http"))
    assert color.size == (192, 192) and outline.size == (32, 32)
    # The outline icon is white on transparent, as Teams requires.
    assert {pixel[:3] for pixel in outline.convert("RGBA").get_flattened_data() if pixel[3]} == {
        (255, 255, 255)
    }
    assert "client-secret" not in json.dumps(manifest)


@pytest.mark.parametrize(
    "given",
    [
        "bot.home.test",
        "https://bot.home.test/api/messages",
        "https://Bot.Home.Test:8443/",
        "bot.home.test/api/messages",
        "http://bot.home.test",
        " bot.home.test. ",
    ],
)
def test_domain_accepts_a_host_or_a_url_and_writes_the_bare_host(monkeypatch, tmp_path, given):
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "client-secret")
    result = CliRunner().invoke(cli, ["teams-package", "--out", str(tmp_path), "--domain", given])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "tonewatch-teams.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["validDomains"] == ["bot.home.test"]


@pytest.mark.parametrize(
    "given",
    ["", "not a host", "ftp://bot.home.test", "https://user:pw@bot.home.test", "localhost", "-x-.test"],
)
def test_a_domain_that_is_no_host_is_refused_in_one_line(monkeypatch, tmp_path, given):
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "client-secret")
    result = CliRunner().invoke(cli, ["teams-package", "--out", str(tmp_path), "--domain", given])
    assert result.exit_code == 1
    assert result.output.startswith("error: --domain:") and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "tonewatch-teams.zip").exists()


def test_no_package_without_an_app_id(tmp_path):
    result = CliRunner().invoke(cli, ["teams-package", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "TEAMS_APP_ID is not set" in result.output
    assert not (tmp_path / "tonewatch-teams.zip").exists()
