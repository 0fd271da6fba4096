"""The actions' shared plumbing: the user's words, the channel, replies, the turn log."""

from __future__ import annotations

import inspect
import logging
import sys
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Action
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import procedures_catalog
from actions import changes, common, dossier, procedures, services
from procedures_catalog import turnlog
from procedures_catalog.answers import Reply

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"


# ---------------------------------------------------------------- user_text
def test_user_text_is_what_the_citizen_typed(tracker) -> None:
    assert common.user_text(tracker("new_question")) == "đăng ký khai sinh"


def test_user_text_of_a_button_is_its_query(tracker) -> None:
    t = tracker("new_question", text='/ask_procedure{"query":"sổ đỏ"}',
                entities=[{"entity": "query", "value": "sổ đỏ"}])
    assert common.user_text(t) == "sổ đỏ"


@pytest.mark.parametrize("fixture", ["bare_payload", "choice_button"])
def test_user_text_of_a_bare_payload_is_empty(tracker, fixture) -> None:
    assert common.user_text(tracker(fixture)) == ""


def test_user_text_without_a_message(tracker) -> None:
    assert common.user_text(tracker("new_question", text="", entities=[])) == ""


# ---------------------------------------------------------------- channel_of
def test_a_bridge_names_its_channel_in_metadata(tracker) -> None:
    assert common.channel_of(tracker("choice_button")) == "telegram"


def test_a_channel_name_is_cut_to_twenty_characters(tracker) -> None:
    assert common.channel_of(tracker("new_question", channel="x" * 50)) == "x" * 20


def test_without_metadata_the_input_channel_is_used(tracker) -> None:
    assert common.channel_of(tracker("new_question", channel=None)) == "rest"
    assert common.channel_of(tracker("new_question", channel=None, events=[])) == "unknown"


# ------------------------------------------------------- the misunderstandings
@pytest.mark.parametrize(("value", "count"),
                         [(None, 0), (0.0, 0), (1.0, 1), (2, 2), ("abc", 0), ([], 0)])
def test_misunderstood_reads_the_counter(tracker, value, count) -> None:
    assert common.misunderstood(tracker("new_question", misunderstandings=value)) == count


def test_understood_resets_the_counter() -> None:
    assert common.understood() == [SlotSet("misunderstandings", 0)]


# ---------------------------------------------------------------------- send
def test_send_puts_the_payload_before_the_text() -> None:
    dispatcher = CollectingDispatcher()
    buttons = [{"title": "🔎 Hỏi thủ tục khác", "payload": "/ask_other"}]
    common.send(dispatcher, [Reply(custom={"choices": ["1.001193"]}),
                             Reply(text="Một"), Reply(text="Hai", buttons=buttons)])
    assert [(m["custom"] or None, m["text"], m["buttons"]) for m in dispatcher.messages] == [
        ({"choices": ["1.001193"]}, None, []),
        (None, "Một", []),
        (None, "Hai", buttons),
    ]


def test_send_skips_empty_replies() -> None:
    dispatcher = CollectingDispatcher()
    common.send(dispatcher, [Reply(), Reply(text="")])
    assert dispatcher.messages == []


# ------------------------------------------------------------------ catalogue
def test_the_actions_use_the_catalogue_they_are_given(catalog) -> None:
    assert common.get_catalog() is catalog


# ------------------------------------------------------------------ turn log
def test_an_answer_is_logged(run, tracker, turns) -> None:
    sender = "log-answer"
    run(procedures.ActionAnswerFees(), tracker("mid_conversation", sender_id=sender))
    turn = turns(sender)[-1]
    assert (turn.outcome, turn.procedure_code, turn.aspect) == ("answered", "1.001193", "fees")
    assert (turn.channel, turn.intent, turn.text) == ("webchat", "ask_fees", "còn lệ phí thì sao")
    assert turn.intent_confidence == pytest.approx(0.88)
    assert turn.conversation != sender  # only a salted hash is kept


def test_a_choice_question_and_a_miss_are_logged(run, tracker, turns) -> None:
    sender = "log-choices"
    run(procedures.ActionAnswerOverview(), tracker("new_question", text="giấy phép",
                                                   sender_id=sender))
    run(procedures.ActionAnswerOverview(), tracker("new_question", text="qwerty zxcv asdf",
                                                   sender_id=sender))
    run(services.ActionFallback(), tracker("gibberish", sender_id=sender, misunderstandings=1.0))
    logged = turns(sender)
    assert [t.outcome for t in logged] == ["choices", "not_found", "handoff"]
    assert logged[0].score is not None and logged[0].procedure_code is None


def test_personal_data_never_reaches_the_log(run, tracker, turns) -> None:
    sender = "log-masked"
    run(procedures.ActionAnswerOverview(), tracker(
        "new_question", text="đăng ký khai sinh, số tôi 0912345678", sender_id=sender))
    assert "0912345678" not in turns(sender)[-1].text


# A turn of every kind: (action, fixture, tracker changes).
EVERY_KIND = [
    (procedures.ActionAnswerOverview, "new_question", {}),
    (procedures.ActionAnswerFees, "mid_conversation", {}),
    (procedures.ActionAnswerOverview, "new_question", {"text": "giấy phép"}),
    (procedures.ActionAnswerOverview, "new_question", {"text": "qwerty zxcv asdf"}),
    (procedures.ActionAnswerFees, "bare_payload", {}),
    (procedures.ActionChooseProcedure, "choice_open", {}),
    (procedures.ActionChooseProcedure, "choice_button", {}),
    (procedures.ActionCorrectProcedure, "mid_conversation",
     {"text": "không phải, ý tôi là khai tử", "intent": "correct_procedure"}),
    (procedures.ActionAskOther, "mid_conversation", {"text": "/ask_other"}),
    (services.ActionFallback, "gibberish", {}),
    (services.ActionFallback, "gibberish", {"misunderstandings": 1.0}),
    (services.ActionCatalogueStats, "new_question", {"text": "cấp xã có bao nhiêu thủ tục"}),
    (services.ActionPortalHelp, "new_question", {"text": "quên mật khẩu"}),
    (services.ActionHandoff, "mid_conversation", {}),
    (services.ActionGreet, "new_question", {"text": "chào"}),
    (services.ActionOutOfScope, "new_question", {"text": "hát một bài đi"}),
]


@pytest.fixture(params=["record_turn raises", "turnlog missing"])
def broken_log(request, monkeypatch) -> str:
    """The turn log fails: its function raises, or the module cannot be imported."""
    if request.param == "record_turn raises":
        def explode(*args, **kwargs):
            raise RuntimeError("database is locked")

        monkeypatch.setattr(turnlog, "record_turn", explode)
    else:
        # `from procedures_catalog import turnlog` then raises ImportError.
        monkeypatch.delattr(procedures_catalog, "turnlog")
        monkeypatch.setitem(sys.modules, "procedures_catalog.turnlog", None)
    return str(request.param)


@pytest.mark.parametrize(("action", "fixture", "changes"), EVERY_KIND,
                         ids=[f"{a.__name__}-{f}-{i}" for i, (a, f, _) in enumerate(EVERY_KIND)])
def test_a_failing_turn_log_never_breaks_an_action(run, tracker, caplog, broken_log, action,
                                                   fixture, changes) -> None:
    with caplog.at_level(logging.WARNING, logger="actions.common"):
        out = run(action(), tracker(fixture, **changes))
    assert out.messages
    assert "turn not logged" in caplog.text


def test_the_broken_log_is_restored(run, tracker, turns) -> None:
    # monkeypatch puts the turn log back after each broken run: turns are logged again.
    sender = "log-restored"
    run(services.ActionGreet(), tracker("new_question", sender_id=sender))
    assert [t.outcome for t in turns(sender)] == ["smalltalk"]


# ------------------------------------------------------- names across layers
def _domain_actions() -> set[str]:
    names: set[str] = set()
    for path in DOMAIN_DIR.glob("*.yml"):
        if path.stem == "feedback":  # another module's actions
            continue
        names |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("actions") or [])
    return names


def _action_classes() -> list[type[Action]]:
    found = []
    for module in (procedures, services, changes, dossier):
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Action)
                    and value.__module__ == module.__name__):
                found.append(value)
    return found


def test_every_domain_action_has_its_class_and_back() -> None:
    # Abstract bases are skipped by the action server too (rasa_sdk's executor).
    concrete = {cls().name() for cls in _action_classes()
                if cls not in (procedures.AnswerAspectAction, services.ReplyAction)
                and not inspect.isabstract(cls)}
    assert concrete == _domain_actions()
