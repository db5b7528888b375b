"""Every cue phrase has a test sentence, and the cue examples are extracted as a careful analyst labels them.

The cue examples (tests/fixtures/cue_examples.yaml) are labelled by the labelling guide
(/work/shared/extraction/LABELLING.md), not by what the extractor gives. Passages the extractor
still gets wrong are listed in KNOWN_GAPS: they fail strictly, so a fix shows up as an XPASS to
remove from the list, never as a label changed to match the output.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from dagster_project.extraction.cues import load_cues
from dagster_project.extraction.evaluation import fact_key, gold_key
from dagster_project.extraction.extractor import DocumentContext, extract_facts

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
CUE_EXAMPLES = FIXTURES / "cue_examples.yaml"
# Where a cue phrase may have its sentence: passage texts of these fixtures, and the test module's source.
PASSAGE_FILES = (CUE_EXAMPLES, FIXTURES / "labelled_passages.yaml", FIXTURES / "heldout_passages.yaml")
SOURCE_FILES = (TESTS / "test_extraction.py",)

# Passages whose labels the extractor does not reproduce yet: id -> what it gives instead of the label.
# Fix the extractor or its vocabulary, never the label; a passage fixed here XPASSes: remove its id.
KNOWN_GAPS: dict[str, str] = {}


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _entries(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _corpus() -> str:
    texts = [entry["text"] for path in PASSAGE_FILES if path.is_file() for entry in _entries(path)]
    texts += [path.read_text(encoding="utf-8") for path in SOURCE_FILES if path.is_file()]
    return _normalise("\n".join(texts))


def test_every_cue_phrase_has_a_test_sentence() -> None:
    corpus = _corpus()
    missing = sorted(
        phrase for phrase in load_cues().infos
        if not re.search(r"(?<!\w)" + re.escape(_normalise(phrase)) + r"(?!\w)", corpus)
    )
    assert not missing, (
        f"{len(missing)} cue phrases of cues.yaml occur in no test sentence; write one for each in "
        f"{CUE_EXAMPLES.relative_to(TESTS.parent)}:\n  " + "\n  ".join(missing)
    )


EXAMPLES = _entries(CUE_EXAMPLES)


def test_cue_examples_are_well_formed() -> None:
    ids = [entry["id"] for entry in EXAMPLES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    unknown = sorted(set(KNOWN_GAPS) - set(ids))
    assert not unknown, f"KNOWN_GAPS names no passage: {unknown}"
    units = load_cues().units
    for entry in EXAMPLES:
        assert set(entry) == {"id", "context", "text", "facts"}, entry["id"]
        for item in entry["facts"]:
            assert item["metric"] in units, (entry["id"], item["metric"])
            assert item.get("qualifier", "exact") in {"exact", "more_than", "about", "less_than"}, entry["id"]
            assert item.get("fact_kind", "actual") in {"actual", "target"}, entry["id"]


def _params() -> list:
    params = []
    for entry in EXAMPLES:
        marks = ()
        if entry["id"] in KNOWN_GAPS:
            marks = (pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[entry["id"]]),)
        params.append(pytest.param(entry, id=entry["id"], marks=marks))
    return params


@pytest.mark.parametrize("entry", _params())
def test_cue_example_is_extracted_as_labelled(entry: dict) -> None:
    context = DocumentContext(**entry["context"])
    found = {fact_key(entry["id"], fact) for fact in extract_facts(entry["text"], context)}
    expected = {gold_key(entry["id"], item, context) for item in entry["facts"]}
    spurious = sorted(key.describe() for key in found - expected)
    missed = sorted(key.describe() for key in expected - found)
    assert found == expected, f"missed: {missed}; spurious: {spurious}"
