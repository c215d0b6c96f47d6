"""contracts/dpa.<language>.txt is the current plain-text copy of contracts/dpa.<language>.docx."""

from __future__ import annotations

import difflib

import pytest

from registry.i18n import LANGUAGES
from tests.contracts.text_copy import CONTRACTS, ROOT, template_text, templates, text_path


def test_every_template_has_a_copy_and_every_copy_a_template() -> None:
    assert [t.name for t in templates()] == sorted(f"dpa.{language}.docx" for language in LANGUAGES)
    copies = sorted(p.name for p in CONTRACTS.glob("dpa.*.txt"))
    assert copies == [text_path(t).name for t in templates()], "run make contracts-text"


@pytest.mark.parametrize("template", templates(), ids=lambda t: t.name)
def test_text_copy_is_current(template) -> None:
    copy = text_path(template)
    name = copy.relative_to(ROOT)
    assert copy.is_file(), f"{name} is missing: run make contracts-text"
    current = template_text(template)
    committed = copy.read_text(encoding="utf-8")
    if committed != current:
        diff = difflib.unified_diff(
            committed.splitlines(), current.splitlines(), f"{name} (committed)", f"{name} (from the .docx)", lineterm=""
        )
        pytest.fail(f"{name} is stale: run make contracts-text\n" + "\n".join(list(diff)[:40]), pytrace=False)
