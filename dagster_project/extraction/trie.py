"""Regexes for long lists of literal words (province names)."""

from __future__ import annotations

import re


def literal_trie(words: list[str]) -> str:
    """A regex matching any of the words, as a character trie (longest match first).

    Python's regex engine scans a trie many times faster than a flat alternation of hundreds
    of names, because every branch starts with a distinct literal.

    >>> literal_trie(["hà nam", "hà nội", "huế"]) == r"h(?:uế|à\ n(?:am|ội))"
    True
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1 and not ends_here and len(node) == 1:
        return branches[0]
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if ends_here else body
