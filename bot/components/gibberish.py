"""Send keyboard mash to the fallback instead of trusting an over-confident classifier.

DIET happily gives "asdkjh qwpoeiru" some intent with high confidence. Vietnamese
is written in syllables with a strict shape (initial consonant, vowel cluster, final
consonant), so a message whose words mostly cannot be Vietnamese syllables — even
after undoing Telex leftovers — and are not known abbreviations is mash. For such a
message (or one with no words at all, e.g. only emoji) this component zeroes the
intent confidence, so the FallbackClassifier after it predicts ``nlu_fallback``.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.components.folding import TEENCODE, fold

_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$"
)
_WORD = re.compile(r"[a-z0-9]+")
RATING_EMOJI = {"👍": "up", "👍🏻": "up", "👍🏼": "up", "👍🏽": "up", "👎": "down", "👎🏻": "down", "👎🏼": "down"}
KNOWN = set(TEENCODE) | set(
    """cccd cmnd cmt gks gplx gpxd gpkd hkd bhyt bhxh bhtn ubnd vneid online zalo ok oke okie
    sdt hs tthc ad admin bot web app pass otp qr sms email gmail facebook fb mk dk dkkd qsdd
    gcn lltp dvc tp hcm sg ct07 pccc atvstp vn vnpt momo viettel pet cv km hello hi helo
    thanks thank thankyou bye goodbye yes no sorry""".split()
)


def _telex_undone(word: str) -> str:
    word = word.replace("dd", "d")
    for pair in ("aa", "aw", "ee", "oo", "ow", "uw"):
        word = word.replace(pair, pair[0])
    word = word.replace("w", "u")
    if len(word) > 1 and word[-1] in "sfrxj":
        word = word[:-1]
    return word


def is_plausible(word: str) -> bool:
    """Whether a folded word could be Vietnamese (or a known abbreviation, or a number)."""
    if word.isdigit() or word in KNOWN:
        return True
    return bool(_SYLLABLE.match(word) or _SYLLABLE.match(_telex_undone(word)))


def is_gibberish(text: str | None, min_share: float = 0.5) -> bool:
    """True when fewer than ``min_share`` of the words are plausible, or there are none."""
    words = _WORD.findall(fold(text or ""))
    if not words:
        return True
    plausible = sum(is_plausible(w) for w in words)
    return plausible / len(words) < min_share


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class GibberishGuard(GraphComponent, IntentClassifier):
    """Zero the intent confidence of keyboard mash (put it before FallbackClassifier)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``min_share``: the share of plausible words below which a message is mash."""
        return {"min_share": 0.5}

    def __init__(self, config: dict[str, Any]) -> None:
        self.min_share = float(config.get("min_share", 0.5))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GibberishGuard:
        """Create the component (nothing to train)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Zero the confidences of mash so the fallback classifier takes over."""
        for message in messages:
            text = message.get(TEXT)
            rating = RATING_EMOJI.get(str(text or "").strip())
            if rating:
                # A typed 👍/👎 has no words for the featurisers: it is a rating.
                message.set(INTENT, {"name": "rate_answer", PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [{"name": "rate_answer", PREDICTED_CONFIDENCE_KEY: 1.0}],
                            add_to_output=True)
                message.set(ENTITIES, [{"entity": "rating", "value": rating, "start": 0,
                                        "end": len(str(text)), "extractor": "GibberishGuard"}],
                            add_to_output=True)
                continue
            if text is None or str(text).startswith("/") or not is_gibberish(text, self.min_share):
                continue
            intent = message.get(INTENT) or {}
            if intent:
                message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(
                INTENT_RANKING_KEY,
                [{**r, PREDICTED_CONFIDENCE_KEY: 0.0} for r in ranking],
                add_to_output=True,
            )
        return messages
