"""Chinese word segmentation for search (rjieba, the jieba-rs binding)."""

from __future__ import annotations

import rjieba


def index_terms(text: str) -> str:
    """Return the space-joined search-mode tokens of a text (what the full-text index stores).

    Search mode emits both 广阳区 and its parts 广阳, so a query for either finds it.
    Each word once: search needs presence, not counts, and half the tokens go.
    Punctuation tokens are left in: the index's tokenizer drops them for free.
    """
    return " ".join(dict.fromkeys(rjieba.cut_for_search(text)))


def query_terms(query: str) -> list[str]:
    """Return the words of a search query; space-separated parts are segmented one by one."""
    terms: list[str] = []
    for part in query.split():
        for token in rjieba.cut(part):
            if token.strip() and any(ch.isalnum() for ch in token) and token not in terms:
                terms.append(token)
    return terms
