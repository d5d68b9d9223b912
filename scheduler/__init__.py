"""Scheduled work (digests, attention lists, SLA escalations, incidents) on APScheduler, run exactly once."""

from scheduler.setup import build_scheduler, schedule_jobs

__all__ = ["build_scheduler", "schedule_jobs"]
