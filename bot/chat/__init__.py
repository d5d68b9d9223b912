"""What every chat surface shares: the `/tonewatch` and `@Tonewatch` commands, channel status, and the
helpers that answer fast and only once."""
