"""What every chat surface shares: channel status lines and the helpers that answer fast and only once."""
