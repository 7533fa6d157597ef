"""Flesch reading ease for plain-English checks of the public pages.

Reading ease = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words).
60 and above reads as plain English (about age 11 to 13); higher is easier. Syllables are
counted by vowel groups with the usual English corrections (a silent final "e", "-le",
"-ed" after most consonants); within one or so of a dictionary count for most words,
which is close enough for a score over a whole page.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)|\n+")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def count_syllables(word: str) -> int:
    """Syllables in one English word (at least 1)."""
    w = word.lower().strip("'")
    w = re.sub(r"'s$", "", w)
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    count = len(_VOWEL_GROUPS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # silent final e: "make", "share"
    elif w.endswith("le") and len(w) > 2 and w[-3] not in "aeiouy":
        pass  # "little", "people": the "le" is its own syllable, already counted
    if w.endswith("ed") and count > 1 and w[-3] not in "td":
        count -= 1  # "asked", "named" but not "wanted"
    if w.endswith("es") and count > 1 and w[-3] not in "sxzhgc":
        count -= 1  # "makes", "types" but not "boxes", "pages"
    return max(count, 1)


def words_in(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    """Sentences, counting a line break (a heading, a list item) as an end too."""
    parts = [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]
    return max(len(parts), 1)


def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease of ``text`` (nan-free: 0 words scores 0)."""
    words = words_in(text)
    if not words:
        return 0.0
    syllables = sum(count_syllables(w) for w in words)
    sentences = sentence_count(text)
    return 206.835 - 1.015 * (len(words) / sentences) - 84.6 * (syllables / len(words))
