"""Build step the declarative configuration (pyproject.toml) cannot express: the wheel carries the
example portfolio and its README (examples/) as package data, bot/data/examples/, as real files."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

EXAMPLES = Path(__file__).resolve().parent / "examples"
SHIPPED_EXAMPLES = ("portfolio.jsonl", "README.md")


class BuildWithExamples(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "bot" / "data" / "examples"
        target.mkdir(parents=True, exist_ok=True)
        for name in SHIPPED_EXAMPLES:
            self.copy_file(str(EXAMPLES / name), str(target / name))


setup(cmdclass={"build_py": BuildWithExamples})
