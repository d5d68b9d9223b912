"""Versioned prompt files, loaded into a strict model.

A prompt lives in the `prompts` package as `<name>@v<version>.md`: a small
front matter (name, version, description) between `---` lines, then the
system prompt body. A released version is never edited; a change is a new
file with the next version, so the `ref` stored on every analysis
("analyze_message@v1") always names the exact text that produced it.
"""

from __future__ import annotations

import re
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PROMPTS_PACKAGE = "prompts"

_FILE_NAME_RE = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)@v(?P<version>[1-9][0-9]*)\.md$")
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(?P<header>.*?)\n---[ \t]*\n(?P<body>.*)\Z", re.DOTALL)


class PromptError(ValueError):
    """A prompt file that is missing or malformed; the message names the file."""


class Prompt(BaseModel):
    """One released version of a prompt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    description: str = Field(min_length=1)
    body: str = Field(min_length=1)

    @property
    def ref(self) -> str:
        """What an analysis records: `name@v<version>`, the prompt file's stem."""
        return f"{self.name}@v{self.version}"


def parse_prompt(source: str, file_name: str) -> Prompt:
    """Parse a prompt file's text; the front matter must agree with the file name."""
    name_match = _FILE_NAME_RE.match(file_name)
    if name_match is None:
        raise PromptError(f"{file_name}: prompt files are named <name>@v<version>.md")
    match = _FRONT_MATTER_RE.match(source.replace("\r\n", "\n"))
    if match is None:
        raise PromptError(f"{file_name}: the file must start with a front matter between '---' lines")
    fields: dict[str, str] = {}
    for line in match.group("header").splitlines():
        if not line.strip():
            continue
        key, separator, value = line.partition(":")
        if not separator:
            raise PromptError(f"{file_name}: front matter line {line!r} is not 'key: value'")
        key = key.strip()
        if key in fields:
            raise PromptError(f"{file_name}: front matter key {key!r} appears twice")
        fields[key] = value.strip()
    try:
        prompt = Prompt.model_validate({**fields, "body": match.group("body").strip()})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in exc.errors())
        raise PromptError(f"{file_name}: {problems}") from None
    if prompt.name != name_match["name"] or prompt.version != int(name_match["version"]):
        raise PromptError(f"{file_name}: front matter says {prompt.ref}, the file name disagrees")
    return prompt


def available_versions(name: str, package: str = PROMPTS_PACKAGE) -> list[int]:
    """The released versions of prompt `name`, oldest first."""
    versions = []
    for entry in resources.files(package).iterdir():
        match = _FILE_NAME_RE.match(entry.name)
        if match and match["name"] == name:
            versions.append(int(match["version"]))
    return sorted(versions)


def load_prompt(name: str, version: int | None = None, package: str = PROMPTS_PACKAGE) -> Prompt:
    """Load prompt `name` at `version`, or its newest version when `version` is None."""
    versions = available_versions(name, package)
    if not versions:
        raise PromptError(f"no prompt named {name!r} in the {package!r} package")
    if version is None:
        version = versions[-1]
    elif version not in versions:
        listed = ", ".join(f"v{v}" for v in versions)
        raise PromptError(f"prompt {name!r} has no version v{version} (released: {listed})")
    file_name = f"{name}@v{version}.md"
    source = resources.files(package).joinpath(file_name).read_text(encoding="utf-8")
    return parse_prompt(source, file_name)
