"""Forgetting a customer (erasure) and purging old customer text (retention)."""
