"""Digest targets and their triggers: wall-clock times in each target's own time zone.

A CronTrigger with a ZoneInfo follows local time across daylight-saving
changes (Monday 09:00 New York is 14:00 UTC in winter, 13:00 UTC in summer).
APScheduler 3 cannot tell the previous fire time, so `previous_fire_time`
walks forward from eight days back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config.settings import WEEKDAYS, Settings, parse_clock_time, parse_time_zone
from storage.db import Engine, transaction
from storage.errors import UserError
from storage.queries import get_digest_target, list_digest_targets, save_digest_target
from storage.records import DigestTargetInfo
from storage.tenants import DEFAULT_TENANT

TARGET_KINDS = ("channel", "owner_dm")


class BadTarget(UserError):
    pass


def _clock(value: str) -> tuple[int, int]:
    hour, minute = parse_clock_time(value).split(":")
    return int(hour), int(minute)


def digest_trigger(target: DigestTargetInfo) -> CronTrigger:
    hour, minute = _clock(target.send_time)
    return CronTrigger(
        day_of_week=target.day_of_week, hour=hour, minute=minute, timezone=ZoneInfo(target.timezone)
    )


def attention_trigger(target: DigestTargetInfo) -> CronTrigger | None:
    if not target.attention_time:
        return None
    hour, minute = _clock(target.attention_time)
    return CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(target.timezone))


def previous_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest fire time at or before `now` within the last eight days."""
    last = None
    fire = trigger.get_next_fire_time(None, now - timedelta(days=8))
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return last


def same_local_day(first: datetime, second: datetime, zone: str) -> bool:
    tz = ZoneInfo(zone)
    return first.astimezone(tz).date() == second.astimezone(tz).date()


def add_target(
    engine: Engine,
    key: str,
    *,
    platform: str,
    destination: str = "",
    kind: str = "channel",
    owner: str | None = None,
    timezone: str | None = None,
    day_of_week: str | None = None,
    send_time: str | None = None,
    attention_time: str | None = None,
    settings: Settings,
    tenant: str = DEFAULT_TENANT,
) -> DigestTargetInfo:
    """Create or update a digest target of the tenant (its digest shows that tenant's accounts only),
    validated; unset schedule fields come from the settings' defaults."""
    defaults = settings
    try:
        zone = parse_time_zone(timezone or defaults.digest_timezone)
        day = (day_of_week or defaults.digest_day).strip().lower()[:3]
        if day not in WEEKDAYS:
            raise ValueError(f"{day_of_week!r} is not a weekday (mon..sun)")
        send = parse_clock_time(send_time or defaults.digest_time)
        attention_value = attention_time if attention_time is not None else defaults.attention_time
        attention = (
            None
            if attention_value.strip().lower() in ("off", "none", "")
            else parse_clock_time(attention_value)
        )
    except ValueError as exc:
        raise BadTarget(f"digest target {key}: {exc}") from None
    if kind not in TARGET_KINDS:
        raise BadTarget(f"digest target {key}: kind must be one of {', '.join(TARGET_KINDS)}")
    if kind == "owner_dm" and not owner:
        raise BadTarget(f"digest target {key}: a CSM's DM needs the owner whose accounts it shows")
    with transaction(engine) as tx:
        return save_digest_target(
            tx,
            key,
            platform=platform,
            destination=destination,
            kind=kind,
            owner=owner,
            timezone=zone,
            day_of_week=day,
            send_time=send,
            attention_time=attention,
            enabled=True,
            tenant=tenant,
        )


def load_target(engine: Engine, key: str) -> DigestTargetInfo | None:
    with transaction(engine) as tx:
        target = get_digest_target(tx, key)
        return target if target is not None and target.enabled else None


def load_targets(engine: Engine) -> list[DigestTargetInfo]:
    with transaction(engine) as tx:
        return list_digest_targets(tx)
