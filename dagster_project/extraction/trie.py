"""Regex helpers: long lists of literal words (province names), faster word boundaries."""

from __future__ import annotations

import re
from collections.abc import Iterator


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


_WORD_START_GROUP = re.compile(r"\\b\(\?:")
_QUANTIFIERS = "*+?{"


def fast_word_start(pattern: str) -> str:
    """The same regex with each `\\b(?:a…|b…)` turned into `(?:a(?<!\\wa)…|b(?<!\\wb)…)`.

    A pattern opening with `\\b` makes Python's engine try every position in full; opening with
    a literal letter lets it skip ahead, which is about three times faster on a sentence. The
    boundary is kept as a look-behind after the first letter. Groups it cannot rewrite safely
    (an alternative opening with a symbol, or a letter with a quantifier) are left as they are.

    >>> fast_word_start(r"\\b(?:năm|cchc) (20\\d\\d)")
    '(?:n(?<!\\\\wn)ăm|c(?<!\\\\wc)chc) (20\\\\d\\\\d)'
    >>> fast_word_start(r"\\b(?:a+|b)")
    '\\\\b(?:a+|b)'
    >>> fast_word_start(r"\\bquý (?:i|1)\\b|[\\b]x")
    'q(?<!\\\\wq)uý (?:i|1)\\\\b|[\\\\b]x'
    """
    return _letter_after_boundary(_groups_after_boundary(pattern))


def _groups_after_boundary(pattern: str) -> str:
    pieces, done = [], 0
    for match in _WORD_START_GROUP.finditer(pattern):
        if match.start() < done or (match.start() and pattern[match.start() - 1] == "\\"):
            continue
        close = _group_end(pattern, match.end())
        alternatives = _split_alternatives(pattern[match.end():close])
        if close < 0 or pattern[close + 1: close + 2] in tuple(_QUANTIFIERS):
            continue  # an optional group still needs the boundary when it is skipped
        if not all(_rewritable(alternative) for alternative in alternatives):
            continue
        rewritten = "|".join(a[0] + rf"(?<!\w{a[0]})" + a[1:] for a in alternatives)
        pieces += (pattern[done:match.start()], "(?:", rewritten)
        done = close
    return "".join(pieces) + pattern[done:]


def _letter_after_boundary(pattern: str) -> str:
    """`\\bquý` -> `q(?<!\\wq)uý`: a boundary before a letter, outside character classes."""
    pieces, done, index = [], 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "[":
            index = _class_end(pattern, index) + 1
            continue
        if char != "\\":
            index += 1
            continue
        if pattern[index + 1: index + 2] == "b" and _rewritable(pattern[index + 2: index + 4]):
            letter = pattern[index + 2]
            pieces += (pattern[done:index], letter + rf"(?<!\w{letter})")
            done = index + 3
        index += 2
    return "".join(pieces) + pattern[done:]


def _rewritable(alternative: str) -> bool:
    return alternative[:1].isalnum() and (len(alternative) == 1 or alternative[1] not in _QUANTIFIERS)


def _group_end(pattern: str, start: int) -> int:
    """Index of the ")" closing the group whose body starts at `start`, or -1."""
    return next((index for index, char, depth in _structure(pattern, start) if char == ")" and depth == 0),
                -1)


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, depth) of the characters outside escapes and character classes; the
    depth counts the groups opened after `start` and not yet closed, so the ")" closing the group
    that `start` is in has depth 0."""
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index) + 1
            continue
        yield index, char, depth
        depth += (char == "(") - (char == ")")
        index += 1


def _class_end(pattern: str, start: int) -> int:
    """Index of the "]" closing the character class opened at `start`."""
    index = start + 1 + (pattern[start + 1: start + 2] == "^")
    index += pattern[index: index + 1] == "]"  # a leading "]" is a literal
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index


def _split_alternatives(body: str) -> list[str]:
    """The top-level alternatives of a group's body."""
    cuts = [index for index, char, depth in _structure(body) if char == "|" and depth == 0]
    starts, ends = [0, *(cut + 1 for cut in cuts)], [*cuts, len(body)]
    return [body[start:end] for start, end in zip(starts, ends, strict=True)]
