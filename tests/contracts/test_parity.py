"""The Romanian and the English template have the same numbered clauses and the same template tags, in order."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from tests.contracts.text_copy import CONTRACTS, paragraphs

_CLAUSE = re.compile(
    r"(?P<number>\d+(?:\.\d+)*)\.(?=\s)"  # 1. / 5.3.
    r"|\((?P<item>[A-Za-z]|[ivx]+|\d+)\)(?=\s)"  # (a) / (A)
    r"|(?:Anexa|Annex)\s+(?P<annex>[IVX]+)\b"  # Anexa I / Annex I
    r"|(?P<section>[A-Z])\.(?=\s)"  # A. (sections of an annex)
)
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"})  # Word quotes


@dataclass(frozen=True)
class Mark:
    key: str
    """What must be equal in both languages: the clause number, or a tag with the last clause number before it."""
    where: str
    """The paragraph, for the failure message."""


def _clause(text: str) -> str | None:
    match = _CLAUSE.match(text.strip())
    if not match:
        return None
    if match["annex"]:
        return f"Annex {match['annex']}"
    return match["number"] or (match["item"] and f"({match['item']})") or f"{match['section']}."


def _tag(tag: str) -> str:
    """A tag as docxtpl reads it: Word quotes are plain quotes, runs of spaces one space."""
    return " ".join(tag.translate(_QUOTES).split())


def marks(language: str) -> tuple[list[Mark], list[Mark]]:
    """(numbered clauses, tags) of contracts/dpa.<language>.docx, in document order."""
    clauses: list[Mark] = []
    tags: list[Mark] = []
    current = "at the start"
    for paragraph in paragraphs(CONTRACTS / f"dpa.{language}.docx"):
        text = paragraph.text.strip()
        where = f"{paragraph.part}: {text[:90]}{'…' if len(text) > 90 else ''}"
        clause = _clause(text) if paragraph.part == "body" else None
        if clause:
            clauses.append(Mark(clause, where))
            current = f"after {clause}"
        for tag in _TAG.findall(paragraph.text):
            context = current if paragraph.part == "body" else f"in the {paragraph.part}"
            tags.append(Mark(f"{context}: {_tag(tag)}", where))
    return clauses, tags


def _compare(what: str, ro: list[Mark], en: list[Mark]) -> None:
    ro_keys, en_keys = [m.key for m in ro], [m.key for m in en]
    if ro_keys == en_keys:
        return
    first = next((i for i, (a, b) in enumerate(zip(ro_keys, en_keys, strict=False)) if a != b), min(len(ro), len(en)))
    ro_at = f"{ro[first].key!r} at «{ro[first].where}»" if first < len(ro) else "nothing more"
    en_at = f"{en[first].key!r} at «{en[first].where}»" if first < len(en) else "nothing more"
    diff = difflib.unified_diff(ro_keys, en_keys, "dpa.ro.docx", "dpa.en.docx", n=2, lineterm="")
    raise AssertionError(
        f"ro and en differ in their {what}, first at #{first + 1}: ro has {ro_at}, en has {en_at}\n"
        + "\n".join(list(diff)[:40])
    )


def test_same_numbered_clauses() -> None:
    (ro, _), (en, _) = marks("ro"), marks("en")
    assert len(ro) > 50  # the reading finds the clauses at all
    _compare("numbered clauses", ro, en)


def test_same_tags() -> None:
    (_, ro), (_, en) = marks("ro"), marks("en")
    assert any("{%tr for sp in subprocessors %}" in m.key for m in ro)
    _compare("template tags", ro, en)
