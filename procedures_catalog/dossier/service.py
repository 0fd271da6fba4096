"""One dossier question, start to end: the code kept by the channel, the limit, the lookup.

The Rasa action and the tests call :func:`answer_status`; the ``catalog dossier``
command calls :func:`lookup_code`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from ..answers import Reply
from ..settings import DossierSettings, get_dossier_settings
from . import answers
from .codes import normalise
from .follow import FINAL_STATES, FollowStore, push_target
from .pending import CodeStore
from .record import Dossier, SourceUnavailable
from .sources import DossierSource, make_source

log = logging.getLogger(__name__)


@dataclass
class StatusAnswer:
    """What to send and how to log it.

    Attributes:
        outcome: for the turn log: dossier_found, dossier_not_found, dossier_portal,
            dossier_unavailable, dossier_ask_code, dossier_incomplete, dossier_limited,
            dossier_followed, dossier_no_follow, dossier_unfollowed (at most 20 characters).
        replies: the messages.
        dossier: the lookup's result, when a lookup ran.
    """

    outcome: str
    replies: list[Reply]
    dossier: Dossier | None = None


def lookup_code(code: str, source: DossierSource | None = None) -> Dossier:
    """Look a (normalised) code up through ``source`` (default: the configured one).

    Raises:
        SourceUnavailable: the source could not answer.
    """
    return (source or make_source()).lookup(code)


def answer_status(conversation_id: str, text: str = "", *, store: CodeStore | None = None,
                  source: DossierSource | None = None, settings: DossierSettings | None = None,
                  today: date | None = None) -> StatusAnswer:
    """Answer "where is my dossier" for one conversation.

    Args:
        conversation_id: the conversation (its raw code is in ``store`` under it).
        text: the message as the action sees it (masked); a raw code in it is used too.
        store: the per-conversation code store (default: from the settings).
        source: the dossier source (default: from the settings).
        settings: dossier settings (default: from the environment).
        today: reference day for "late" (tests pin it).
    """
    settings = settings or get_dossier_settings()
    store = store or CodeStore.from_settings(settings)
    if normalise(text):
        store.remember(conversation_id, text)  # a caller that did not mask (CLI, tests)
    recalled = store.recall(conversation_id)
    if recalled is None:
        return StatusAnswer("dossier_ask_code", answers.ask_code_answer())
    code, complete = recalled
    if not complete:
        return StatusAnswer("dossier_incomplete", answers.incomplete_code_answer())
    source = source or make_source(settings)
    if source.name == "none":
        dossier = Dossier(code=code, found=False)
        return StatusAnswer("dossier_portal", answers.portal_steps_answer(dossier), dossier)
    wait = store.take_lookup(conversation_id, settings.lookups_per_hour)
    if wait:
        return StatusAnswer("dossier_limited", answers.too_many_answer(wait))
    try:
        dossier = source.lookup(code)
    except SourceUnavailable as exc:
        log.warning("dossier lookup failed: %s", exc)
        return StatusAnswer("dossier_unavailable", answers.unavailable_answer(code))
    if not dossier.found:
        return StatusAnswer("dossier_not_found", answers.not_found_answer(dossier), dossier)
    return StatusAnswer("dossier_found", answers.status_answer(dossier, today), dossier)


def answer_follow(conversation_id: str, *, store: CodeStore | None = None,
                  source: DossierSource | None = None,
                  settings: DossierSettings | None = None) -> StatusAnswer:
    """"Báo cho tôi khi có kết quả": follow the conversation's last dossier."""
    settings = settings or get_dossier_settings()
    store = store or CodeStore.from_settings(settings)
    if push_target(conversation_id) is None:
        return StatusAnswer("dossier_no_follow", answers.cannot_follow_answer("channel"))
    recalled = store.recall(conversation_id)
    if recalled is None or not recalled[1]:
        return StatusAnswer("dossier_ask_code", answers.ask_code_answer())
    code = recalled[0]
    source = source or make_source(settings)
    if source.name == "none":
        return StatusAnswer("dossier_no_follow", answers.cannot_follow_answer("none_source"))
    wait = store.take_lookup(conversation_id, settings.lookups_per_hour)
    if wait:
        return StatusAnswer("dossier_limited", answers.too_many_answer(wait))
    try:
        dossier = source.lookup(code)
    except SourceUnavailable:
        return StatusAnswer("dossier_unavailable", answers.unavailable_answer(code))
    if not dossier.found:
        return StatusAnswer("dossier_not_found", answers.not_found_answer(dossier), dossier)
    if dossier.status in FINAL_STATES:
        return StatusAnswer("dossier_no_follow", answers.cannot_follow_answer("finished"), dossier)
    if not FollowStore(store).add(conversation_id, code, dossier.status):
        return StatusAnswer("dossier_no_follow", answers.cannot_follow_answer("too_many"), dossier)
    return StatusAnswer("dossier_followed", answers.following_answer(code), dossier)


def answer_unfollow(conversation_id: str, *, store: CodeStore | None = None) -> StatusAnswer:
    """"Thôi, đừng báo nữa": stop following."""
    count = FollowStore(store or CodeStore.from_settings()).remove_all(conversation_id)
    return StatusAnswer("dossier_unfollowed", answers.unfollow_answer(count))
