"""Figures for the staff dashboard, computed from the turn log.

Every figure counts logged turns (one per message a citizen sent) in a period of
whole local days (Vietnam time, UTC+7, no daylight saving). The outcomes group as:

* answered — the assistant answered (``answered``, ``stats``, ``portal_help``,
  ``smalltalk``, ``out_of_scope``);
* unsure — it asked which procedure was meant (``choices``);
* fell back — it found nothing or did not understand (``not_found``, ``fallback``);
* handed over — it gave the hotline and office contacts (``handoff``).

An answer about a procedure whose search score was below
:data:`procedures_catalog.search.CONFIDENT_SCORE` counts as low-confidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from . import db
from .models import Procedure, Turn, TurnRating
from .normalize import fold
from .search import CONFIDENT_SCORE

LOCAL_TZ = timezone(timedelta(hours=7), "ICT")
LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"
UNSURE = ("choices",)
FELL_BACK = ("not_found", "fallback")
HANDED_OVER = ("handoff",)
CATEGORIES = ("answered", "unsure", "fell_back", "handed_over")
LOW_SCORE = CONFIDENT_SCORE


def category(outcome: str) -> str:
    """The dashboard category of a turn outcome."""
    if outcome in UNSURE:
        return "unsure"
    if outcome in FELL_BACK:
        return "fell_back"
    if outcome in HANDED_OVER:
        return "handed_over"
    return "answered"


@dataclass
class Period:
    """Whole local days ``first`` … ``last`` and their bounds in UTC."""

    first: date
    last: date

    @classmethod
    def last_days(cls, days: int, *, now: datetime | None = None) -> Period:
        """The ``days`` local days up to and including today."""
        today = (now or datetime.now(timezone.utc)).astimezone(LOCAL_TZ).date()
        return cls(today - timedelta(days=max(days, 1) - 1), today)

    @property
    def start(self) -> datetime:
        """The first instant of the period (UTC)."""
        return datetime.combine(self.first, time.min, LOCAL_TZ).astimezone(timezone.utc)

    @property
    def end(self) -> datetime:
        """The first instant after the period (UTC)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, LOCAL_TZ).astimezone(timezone.utc)

    def days(self) -> list[date]:
        """Every day of the period, in order."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass
class Question:
    """A question the assistant could not answer well (grouped by its masked text)."""

    text: str
    count: int
    last_at: datetime
    outcome: str
    score: float | None
    procedure_code: str | None


@dataclass
class Dashboard:
    """Everything the dashboard page shows."""

    period: Period
    total: int = 0
    per_day: dict[date, int] = field(default_factory=dict)
    per_channel: dict[str, int] = field(default_factory=dict)
    per_day_channel: dict[date, dict[str, int]] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    low_confidence: int = 0
    top_procedures: list[dict[str, Any]] = field(default_factory=list)
    ratings: dict[str, int] = field(default_factory=dict)
    rating_reasons: dict[str, int] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)

    def share(self, key: str) -> float:
        """The share (0..1) of turns in a category, or of low-confidence answers."""
        if not self.total:
            return 0.0
        value = self.low_confidence if key == "low_confidence" else self.categories.get(key, 0)
        return value / self.total


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _local_day_expr(engine: Engine) -> Any:
    """A SQL expression of a turn's local day as 'YYYY-MM-DD', or None to do it in Python."""
    if engine.dialect.name == "sqlite":
        return func.date(Turn.at, "+7 hours")
    if engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(LOCAL_TZ_NAME, Turn.at), "YYYY-MM-DD")
    return None


def _low_confidence_clause() -> Any:
    return and_(Turn.outcome == "answered", Turn.score.is_not(None), Turn.score < LOW_SCORE)


def build(engine: Engine, *, days: int = 30, now: datetime | None = None,
          question_limit: int = 30, top_limit: int = 10) -> Dashboard:
    """Compute the dashboard for the last ``days`` local days.

    Args:
        engine: the catalogue database.
        days: how many days, today included.
        now: the current time (tests pass their own).
        question_limit: how many unanswered or low-confidence questions to list.
        top_limit: how many procedures in the top list.
    """
    period = Period.last_days(days, now=now)
    board = Dashboard(period=period)
    in_period = and_(Turn.at >= period.start, Turn.at < period.end)
    day_expr = _local_day_expr(engine)
    with db.session_scope(engine) as s:
        if day_expr is not None:
            rows = s.execute(select(day_expr, Turn.channel, func.count())
                             .where(in_period).group_by(day_expr, Turn.channel)).all()
            day_rows = [(date.fromisoformat(str(d)), ch, int(n)) for d, ch, n in rows]
        else:
            counter: Counter[tuple[date, str]] = Counter(
                (_aware(at).astimezone(LOCAL_TZ).date(), ch)
                for at, ch in s.execute(select(Turn.at, Turn.channel).where(in_period))
            )
            day_rows = [(d, ch, n) for (d, ch), n in counter.items()]
        board.per_day = {d: 0 for d in period.days()}
        board.per_day_channel = {d: {} for d in period.days()}
        for d, channel, n in day_rows:
            if d not in board.per_day:
                continue
            board.per_day[d] += n
            board.per_day_channel[d][channel] = board.per_day_channel[d].get(channel, 0) + n
            board.per_channel[channel] = board.per_channel.get(channel, 0) + n
        board.per_channel = dict(sorted(board.per_channel.items(), key=lambda kv: -kv[1]))
        board.total = sum(board.per_day.values())

        board.outcomes = {str(o): int(n) for o, n in s.execute(
            select(Turn.outcome, func.count()).where(in_period).group_by(Turn.outcome))}
        board.categories = {key: 0 for key in CATEGORIES}
        for outcome, n in board.outcomes.items():
            board.categories[category(outcome)] += n
        board.low_confidence = int(s.scalar(
            select(func.count()).select_from(Turn).where(in_period, _low_confidence_clause())) or 0)

        board.ratings = {"up": 0, "down": 0}
        rating_period = and_(TurnRating.at >= period.start, TurnRating.at < period.end)
        for rating, n in s.execute(select(TurnRating.rating, func.count()).where(rating_period)
                                   .group_by(TurnRating.rating)):
            board.ratings[str(rating)] = int(n)
        board.rating_reasons = {str(r): int(n) for r, n in s.execute(
            select(TurnRating.reason, func.count())
            .where(rating_period, TurnRating.rating == "down", TurnRating.reason.is_not(None))
            .group_by(TurnRating.reason))}

        top = s.execute(
            select(Turn.procedure_code, func.count().label("n"))
            .where(in_period, Turn.procedure_code.is_not(None), Turn.outcome == "answered")
            .group_by(Turn.procedure_code).order_by(func.count().desc(), Turn.procedure_code)
            .limit(top_limit)
        ).all()
        codes = [str(code) for code, _ in top]
        names: dict[str, str] = {
            str(code): str(name) for code, name in
            s.execute(select(Procedure.code, Procedure.name).where(Procedure.code.in_(codes)))
        }
        votes: dict[tuple[str, str], int] = {
            (str(code), str(rating)): int(n) for code, rating, n in s.execute(
                select(Turn.procedure_code, TurnRating.rating, func.count())
                .join(Turn, TurnRating.turn_id == Turn.id)
                .where(rating_period, Turn.procedure_code.in_(codes))
                .group_by(Turn.procedure_code, TurnRating.rating))
        }
        board.top_procedures = [
            {"code": code, "name": names.get(code, ""), "count": int(n),
             "up": votes.get((code, "up"), 0), "down": votes.get((code, "down"), 0)}
            for code, n in zip(codes, (n for _, n in top))
        ]
        board.questions = _questions(s, in_period, question_limit)
    return board


def _questions(s: Any, in_period: Any, limit: int) -> list[Question]:
    """Unanswered, unsure and low-confidence questions, most frequent first."""
    # A handover the citizen asked for ("cho tôi gặp cán bộ") is no failure; one after
    # two misunderstandings is.
    asked_for_person = and_(Turn.outcome.in_(HANDED_OVER),
                            func.coalesce(Turn.intent, "") == "human_handoff")
    weak = or_(Turn.outcome.in_(UNSURE + FELL_BACK),
               and_(Turn.outcome.in_(HANDED_OVER), ~asked_for_person),
               _low_confidence_clause())
    rows = s.execute(
        select(Turn.text, Turn.at, Turn.outcome, Turn.score, Turn.procedure_code)
        .where(in_period, weak, Turn.text != "", ~Turn.text.startswith("/"))
        .order_by(Turn.at.desc()).limit(5000)
    ).all()
    groups: dict[str, Question] = {}
    for text, at, outcome, score, code in rows:
        key = fold(text)
        if not key:
            continue
        question = groups.get(key)
        if question is None:
            # Rows come newest first: the first one seen is the latest.
            groups[key] = Question(text=text, count=1, last_at=_aware(at), outcome=outcome,
                                   score=score, procedure_code=code)
        else:
            question.count += 1
    ranked = sorted(groups.values(), key=lambda q: (-q.count, -q.last_at.timestamp()))
    return ranked[:limit]
