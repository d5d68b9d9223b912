"""`python -m bot` is the `tonewatch` command."""

from bot.cli import main

main()
