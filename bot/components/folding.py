"""A whitespace tokenizer that folds Vietnamese text before featurising.

Citizens type the same word as "lệ phí", "le phi", "lệ fí" or "lephi"; folding
accents (đ → d), case and a few teencode spellings makes them one feature, so the
intent classifier learns from fewer examples. ``bench/nlu_folding.py`` trains the
pipeline with and without this component on the same data and prints what it buys.

This module runs inside the Rasa environment (SQLAlchemy 1.4): it imports only
``procedures_catalog.language`` (standard library and PyYAML), which reads the same
word list as the catalogue search, so NLU and search see the same words.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from procedures_catalog.language import fold_word, load_words, spell_out_token

# The folded words the tokenizer maps (gibberish guard: known abbreviations).
TEENCODE: dict[str, str] = {key: fold_word(value) for key, value in load_words()[1].items()}


def fold(text: str) -> str:
    """Lower case, no accents, đ → d (same as the catalogue's folding)."""
    return fold_word(text)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class FoldingTokenizer(WhitespaceTokenizer):
    """Whitespace tokenizer whose tokens are folded and teencode-normalised."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Whitespace tokens with folded text; offsets still point into the original."""
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            # The same spelling-out as the catalogue search (data/language/words.yaml).
            token.text = spell_out_token(token.text)
            # The count-vector featurisers read the lemma, not the text.
            token.lemma = token.text
        return tokens
