"""What the team's own people say about Tonewatch's readings: corrections and precision."""
