"""One Romanian term for the day a change starts to apply: "se aplică de la", as the public page says it. A change
of sub-processors does not "enter into force" ("intră în vigoare"): an agreement or a law does."""

from pathlib import Path

import pytest

from registry.changes.texts import TEXT
from registry.public.i18n import WORDS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ROMANIAN_TEMPLATES = sorted(TEMPLATES.glob("emails/*.ro.*"))


@pytest.mark.parametrize("path", ROMANIAN_TEMPLATES, ids=lambda path: path.name)
def test_romanian_notices_say_a_change_applies_from_a_day(path):
    assert "vigoare" not in path.read_text("utf-8")


@pytest.mark.parametrize("texts", [TEXT["ro"], WORDS["ro"]], ids=["respond page", "public pages"])
def test_romanian_pages_say_a_change_applies_from_a_day(texts):
    assert not [key for key, text in texts.items() if "vigoare" in text]
    assert texts["effective_on"] == "Se aplică de la"


def test_there_are_romanian_templates_to_check():
    assert len(ROMANIAN_TEMPLATES) > 20
