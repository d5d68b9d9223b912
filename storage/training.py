"""The team's training data: labeled examples from files, the labels people chose in corrections, and the
fitted models."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.db import session_scope
from storage.models import Correction, CustomerMessage, TrainingExample
from storage.queries import deactivate_trained_models, save_trained_model


def text_hash(text: str) -> str:
    """The key that keeps one text a single training example."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def add_training_examples(
    engine: Engine, examples: Iterable[tuple[str, str]], source: str
) -> tuple[int, int]:
    """Store (text, label) pairs; returns (added, skipped because the text is already an example)."""
    added = skipped = 0
    with session_scope(engine) as session:
        for text, label in examples:
            try:
                with session.begin_nested():
                    session.add(
                        TrainingExample(text=text, text_hash=text_hash(text), label=label, source=source)
                    )
                added += 1
            except IntegrityError:
                skipped += 1
    return added, skipped


def labeled_texts(engine: Engine) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(every stored example's (text, label), every correction's (message text, chosen label) oldest
    first), read in one transaction."""
    with session_scope(engine) as session:
        examples = [(example.text, example.label) for example in session.exec(select(TrainingExample)).all()]
        corrected = session.exec(
            select(CustomerMessage.text, Correction.label)
            .join(Correction, Correction.message_id == CustomerMessage.id)  # type: ignore[arg-type]
            .where(Correction.label.is_not(None))  # type: ignore[union-attr]
            .order_by(Correction.id)  # type: ignore[arg-type]
        ).all()
        return examples, [(text, label) for text, label in corrected if text and label is not None]


def store_trained_model(engine: Engine, blob: bytes, metrics: dict, trained_on: int) -> int | None:
    """Store a fitted model as the only active one; returns its id."""
    with session_scope(engine) as session:
        return save_trained_model(session, blob, metrics, trained_on=trained_on).id


def deactivate_models(engine: Engine) -> int:
    """Make no stored model active (the offline analyzer answers again); returns how many were active."""
    with session_scope(engine) as session:
        return deactivate_trained_models(session)
