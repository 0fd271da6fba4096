"""Cleaning of catalogue text for display, and parsing of fees and times.

The national listing was scraped from portal pages whose tables were flattened into
text without separators ("…;1 bản chínhd) Giấy…", "--Tên giấy tờMẫu đơn, tờ khaiSố
lượng…"). The functions here turn such text into something a citizen can read, and pull
structured values (fee amounts, processing time) out of it where that is safe.

Every cleaning function is idempotent: cleaning already-clean text returns it unchanged
and ``split_documents(join_documents(items)) == items`` for any list it produced, so that
export → import changes nothing. The parsers never guess: where the text does not say
something clearly, they return ``None``.

One module per kind of text: :mod:`.text` (text and names), :mod:`.documents`,
:mod:`.fees` and :mod:`.durations` (processing time).
"""

from __future__ import annotations

from .documents import join_documents, split_documents
from .durations import parse_processing_time
from .fees import FeeInfo, parse_fees
from .text import clean_name, clean_text

__all__ = ["FeeInfo", "clean_name", "clean_text", "join_documents", "parse_fees",
           "parse_processing_time", "split_documents"]
