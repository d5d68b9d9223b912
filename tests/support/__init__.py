"""Helpers the tests share (requests, processes, history builders).

The far side's fakes live in tests/fakes."""
