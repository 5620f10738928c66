"""The promises of ``deinterleave`` hold for every input, not just the pages we have seen.

The properties are checked with :func:`strategies.check_page` (own code), and
cross-checked with the library's :func:`verify_lossless`, over arbitrary
Unicode and over realistic interleaved pages. They assert promises, never the
engine's particular answer, so they stay valid as the engine changes.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import WHITESPACE, arbitrary_text, check_page, interleaved_pages, mutated_pages

from newsdeinterleave import Page, deinterleave
from newsdeinterleave.api import FEATURE_FAMILIES
from newsdeinterleave.assembly import verify_lossless

#: Realistic pages cost the real engine far more than short strings: a quarter of the budget.
REALISTIC = settings(max_examples=max(10, settings().max_examples // 4))


def as_json(page: Page) -> str:
    """JSON that also copes with lone surrogates (``model_dump_json`` cannot encode them)."""
    return json.dumps(page.model_dump(mode="json"), ensure_ascii=True)


@given(arbitrary_text())
def test_arbitrary_text_gives_a_valid_lossless_page(text: str) -> None:
    page = deinterleave(text)
    check_page(text, page)
    verify_lossless(text, page)
    assert as_json(deinterleave(text)) == as_json(page)


@REALISTIC
@given(interleaved_pages)
def test_interleaved_pages_give_a_valid_lossless_page(text: str) -> None:
    page = deinterleave(text)
    check_page(text, page)
    verify_lossless(text, page)
    assert page.articles or page.unassigned, "a page with text cannot come back empty"
    assert deinterleave(text).model_dump_json() == page.model_dump_json()


@REALISTIC
@given(mutated_pages)
def test_interleaved_pages_with_hostile_characters_stay_lossless(text: str) -> None:
    page = deinterleave(text)
    check_page(text, page)
    assert as_json(deinterleave(text)) == as_json(page)


@REALISTIC
@given(
    interleaved_pages,
    st.sampled_from([None, "zh", "en", "und"]),
    st.sets(st.sampled_from(FEATURE_FAMILIES)),
    st.sampled_from(["full", "noop", "greedy"]),
)
def test_every_option_keeps_the_promises(
    text: str, language: str | None, disable: set[str], method: str
) -> None:
    page = deinterleave(text, language=language, disable=sorted(disable), method=method)
    check_page(text, page)
    again = deinterleave(text, language=language, disable=sorted(disable), method=method)
    assert again.model_dump_json() == page.model_dump_json()


@given(st.text(alphabet=st.sampled_from(WHITESPACE)))
def test_whitespace_only_pages_are_empty(text: str) -> None:
    page = deinterleave(text)
    assert page.articles == []
    assert page.unassigned == []
    assert page.text_length == len(text)


def test_empty_page_is_empty() -> None:
    page = deinterleave("")
    check_page("", page)
    assert page.articles == [] and page.unassigned == []


@REALISTIC
@given(interleaved_pages)
def test_result_round_trips_through_json(text: str) -> None:
    page = deinterleave(text)
    assert Page.model_validate_json(page.model_dump_json()) == page
