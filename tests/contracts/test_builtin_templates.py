"""The built-in templates pass the upload check, read exactly the variables docs/dpa-context.md lists, and are clean."""

from __future__ import annotations

import re
import zipfile
from functools import cache
from typing import Any

import pytest

from registry.dpas.services import builtin_template_file
from registry.dpas.validation import TemplateCheck, sample_context, validate_template
from registry.i18n import LANGUAGES
from tests.contracts.text_copy import CONTRACTS, ROOT

DOC = ROOT / "docs" / "dpa-context.md"
_REVISION = re.compile(rb"<w:(ins|del|moveFrom|moveTo|commentReference|commentRangeStart)\b")
UNUSED = "not in the built-in templates"


@cache
def check(language: str) -> TemplateCheck:
    return validate_template(builtin_template_file(language).read_bytes(), language)


def documented() -> dict[str, bool]:
    """The ```dpa-variables list of docs/dpa-context.md: {path: used by the built-in templates}."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"^```dpa-variables\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert block, f"{DOC.relative_to(ROOT)} has no ```dpa-variables block"
    entries: dict[str, bool] = {}
    for line in filter(None, (line.strip() for line in block.group(1).splitlines())):
        entry = re.fullmatch(r"(\S+)(?:\s+\((.+)\))?", line)
        assert entry and entry[2] in (None, UNUSED), f"unreadable line in the dpa-variables list: {line!r}"
        assert entry[1] not in entries, f"{entry[1]} is listed twice in the dpa-variables list"
        entries[entry[1]] = entry[2] is None
    return entries


def _paths(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_paths(item, f"{prefix}.{key}" if prefix else key) for key, item in value.items()))
    if isinstance(value, list):
        return _paths(value[0], prefix + "[]") if value else {prefix + "[]"}
    return {prefix}


def _difference(name: str, actual: set[str], listed: set[str]) -> str:
    parts = [f"not in the list: {sorted(actual - listed)}"] if actual - listed else []
    parts += [f"listed, but not in {name}: {sorted(listed - actual)}"] if listed - actual else []
    return f"{name} differ from the dpa-variables list of {DOC.relative_to(ROOT)}; " + "; ".join(parts)


@pytest.mark.parametrize("language", LANGUAGES)
def test_builtin_template_passes_the_upload_check(language: str) -> None:
    data = builtin_template_file(language).read_bytes()
    assert data == (CONTRACTS / f"dpa.{language}.docx").read_bytes(), "the app does not load contracts/ itself"
    check(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_builtin_template_uses_the_documented_variables(language: str) -> None:
    used = set(check(language).variables)
    listed = {path for path, in_builtin in documented().items() if in_builtin}
    assert used == listed, _difference(f"the variables of contracts/dpa.{language}.docx", used, listed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_documented_variables_are_the_renderer_context(language: str) -> None:
    context = _paths(sample_context(language))
    listed = set(documented())
    assert context == listed, _difference("the renderer's context (validation.sample_context)", context, listed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_builtin_template_has_no_tracked_changes_or_comments(language: str) -> None:
    left = []
    with zipfile.ZipFile(CONTRACTS / f"dpa.{language}.docx") as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                left += [f"{name}: <w:{m.group(1).decode()}>" for m in _REVISION.finditer(archive.read(name))]
            if name == "word/comments.xml":
                left.append(name)
    assert not left, f"contracts/dpa.{language}.docx: accept all changes and delete all comments in Word ({left[:5]})"
