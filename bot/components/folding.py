"""A whitespace tokenizer that folds Vietnamese text before featurising.

Citizens type the same word as "lệ phí", "le phi", "lệ fí" or "lephi"; folding
accents (đ → d), case and a few teencode spellings makes them one feature, so the
intent classifier learns from fewer examples. ``bench/nlu_folding.py`` trains the
pipeline with and without this component on the same data and prints what it buys.

This module runs inside the Rasa environment (SQLAlchemy 1.4), so it must not import
the catalogue package; its folding mirrors ``procedures_catalog.normalize.fold``.
"""

from __future__ import annotations

import re
import unicodedata

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

_COMBINING = re.compile(r"[\u0300-\u036f]")

# Teencode that maps to one folded word (multi-word expansions stay as typed: the
# classifier sees them in training data).
TEENCODE: dict[str, str] = {
    "ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "hok": "khong",
    "hong": "khong", "hem": "khong", "kh": "khong", "khum": "khong",
    "dc": "duoc", "dk": "dang_ky", "j": "gi", "z": "vay", "zay": "vay", "dzay": "vay",
    "lm": "lam", "bn": "bao_nhieu", "nhieu": "nhieu", "ntn": "nhu_the_nao",
    "onl": "online", "ol": "online", "olai": "online", "onlai": "online",
    "fi": "phi", "fy": "phi", "r": "roi", "vs": "voi", "mk": "minh", "t": "toi",
    "tui": "toi", "tthc": "thu_tuc", "tt": "thu_tuc", "hs": "ho_so",
}


def fold(text: str) -> str:
    """Lower case, no accents, đ → d (same as the catalogue's folding)."""
    text = unicodedata.normalize("NFD", text.lower())
    text = _COMBINING.sub("", text)
    return unicodedata.normalize("NFC", text).replace("đ", "d")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class FoldingTokenizer(WhitespaceTokenizer):
    """Whitespace tokenizer whose tokens are folded and teencode-normalised."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Whitespace tokens with folded text; offsets still point into the original."""
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            folded = fold(token.text)
            token.text = TEENCODE.get(folded, folded)
            # The count-vector featurisers read the lemma, not the text.
            token.lemma = token.text
        return tokens
