"""Gold validation and metrics, on pages small enough to score by hand.

The expected numbers in comments are worked out from FORMAT.md by hand; the
seed test re-derives the join counts with a scorer written here, so a bug in
the library's metric code cannot confirm itself.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from newsdeinterleave import deinterleave
from newsdeinterleave.assembly import ArticlePlan, Piece, build_page
from newsdeinterleave.evaluation import (
    GoldFormatError,
    GoldPage,
    load_gold,
    prediction_from_page,
    score_page,
    score_prediction,
    validate_gold,
)
from newsdeinterleave.segmentation import split_chunks

REPO = Path(__file__).resolve().parents[1]
SEED_JSON = REPO / "benchmarks" / "pages" / "seed-000.json"

# Two columns read across: left column article X = "AB"+"EF", right column Y = "CD"+"GH".
# offsets: A0 B1 _2 C3 D4 \n5 E6 F7 _8 G9 H10 \n11 #12
TWO_COLUMNS = "AB CD\nEF GH\n#"


def _gold_dict(text: str) -> dict[str, Any]:
    return {
        "format": "deinterleave-gold/1",
        "page_id": "tiny",
        "text_file": "tiny.txt",
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "language": "en",
        "articles": [
            {
                "id": "x",
                "pieces": [
                    {"start": 0, "end": 2, "role": "title"},
                    {"start": 6, "end": 8, "role": "body", "para": True},
                ],
            },
            {
                "id": "y",
                "pieces": [
                    {"start": 3, "end": 5, "role": "title"},
                    {"start": 9, "end": 11, "role": "body", "para": True},
                ],
            },
        ],
        "unassigned": [{"start": 12, "end": 13, "note": "furniture"}],
    }


def _gold(text: str = TWO_COLUMNS) -> GoldPage:
    gold = GoldPage.model_validate(_gold_dict(text))
    validate_gold(gold, text)
    return gold


# --------------------------------------------------------------------------- metrics


def test_noop_on_two_columns() -> None:
    # Gold joins: X (B1,E6), Y (D4,G9); both broken (page puts C3 after B1, E6 after D4).
    # Input order keeps neither: 0/2 joins, 0/2 broken.
    # B-cubed: 9 chars; the prediction is one cluster of 8 (A..H) plus '#' as a singleton.
    # precision: A..H 4/8 each, '#' 1 -> (8*0.5 + 1)/9 = 5/9; recall 1; F1 = 2*(5/9)/(14/9) = 5/7.
    score = score_prediction(_gold(), TWO_COLUMNS, [[(0, 12)]])
    assert (score.joins_kept, score.joins_total) == (0, 2)
    assert (score.broken_kept, score.broken_total) == (0, 2)
    assert score.bcubed_precision == pytest.approx(5 / 9)
    assert score.bcubed_recall == pytest.approx(1.0)
    assert score.bcubed_f1 == pytest.approx(5 / 7)
    assert score.articles_perfect == 0
    assert (score.titles_correct, score.titles_total) == (0, 2)
    # similarity X: "ABEF" vs "ABCDEFGH": matches AB+EF = 4, ratio 2*4/12.
    assert score.articles[0].similarity == pytest.approx(8 / 12)


def test_perfect_prediction_scores_one_everywhere() -> None:
    pred = [[(0, 2, "title"), (6, 8, "body")], [(3, 5, "title"), (9, 11, "body")]]
    score = score_prediction(_gold(), TWO_COLUMNS, pred)
    assert score.join_accuracy == 1.0
    assert score.broken_join_accuracy == 1.0
    assert score.bcubed_f1 == pytest.approx(1.0)
    assert score.perfect_rate == 1.0
    assert score.title_accuracy == 1.0
    assert score.mean_similarity == pytest.approx(1.0)


def test_partial_prediction_with_unassigned_chars() -> None:
    # Prediction: P0 = A B E F, P1 = C D; G, H and '#' left unassigned (predicted singletons).
    # Precision is 1 for every char. Recall: A,B,E,F 4/4; C,D 2/4; G,H 1/4; '#' 1
    #   -> (4 + 1 + 0.5 + 1)/9 = 6.5/9.  F1 = 2*R/(1+R) = 13/15.5.
    # Joins: X (1,6) kept, Y (4,9) lost -> 1/2 (both are broken joins: 1/2).
    # Perfect: X only. Y matched to P1: "CDGH" vs "CD" ratio 2*2/6.
    pred = [[(0, 2), (6, 8)], [(3, 5)]]
    score = score_prediction(_gold(), TWO_COLUMNS, pred)
    assert (score.joins_kept, score.joins_total) == (1, 2)
    assert (score.broken_kept, score.broken_total) == (1, 2)
    assert score.bcubed_precision == pytest.approx(1.0)
    assert score.bcubed_recall == pytest.approx(6.5 / 9)
    assert score.bcubed_f1 == pytest.approx(13 / 15.5)
    assert (score.articles_perfect, score.articles_total) == (1, 2)
    assert score.articles[1].matched == 1
    assert score.articles[1].similarity == pytest.approx(4 / 6)
    # No roles in the prediction: nothing is a title.
    assert score.titles_correct == 0


def test_join_across_inner_space_is_counted_but_not_broken() -> None:
    # "张 咪" style: one piece with an inner space. Chars Z0 _1 M2: join (0,2), not broken,
    # because the page already puts M right after Z (whitespace aside). Input order keeps it.
    text = "Z M"
    gold = GoldPage.model_validate(
        {
            "format": "deinterleave-gold/1",
            "page_id": "inner",
            "text_file": "inner.txt",
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "language": "zh",
            "articles": [
                {"id": "a", "pieces": [{"start": 0, "end": 3, "role": "body", "para": True}]}
            ],
            "unassigned": [],
        }
    )
    validate_gold(gold, text)
    score = score_prediction(gold, text, [[(0, 3)]])
    assert (score.joins_kept, score.joins_total) == (1, 1)
    assert score.broken_total == 0
    assert score.broken_join_accuracy is None


def test_title_uses_reader_join_with_hyphen_repair() -> None:
    # Title "exam-" / "ple" over a line break reads "example"; gold and prediction agree only
    # when the prediction marks both pieces as title.
    text = "exam-\nple\nbody"
    gold = GoldPage.model_validate(
        {
            "format": "deinterleave-gold/1",
            "page_id": "hyph",
            "text_file": "hyph.txt",
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "language": "en",
            "articles": [
                {
                    "id": "a",
                    "pieces": [
                        {"start": 0, "end": 5, "role": "title"},
                        {"start": 6, "end": 9, "role": "title"},
                        {"start": 10, "end": 14, "role": "body", "para": True},
                    ],
                }
            ],
        }
    )
    validate_gold(gold, text)
    good = [[(0, 5, "title"), (6, 9, "title"), (10, 14, "body")]]
    half = [[(0, 5, "title"), (6, 9, "body"), (10, 14, "body")]]
    assert score_prediction(gold, text, good).title_accuracy == 1.0
    assert score_prediction(gold, text, half).title_accuracy == 0.0


def test_matching_prefers_most_shared_then_first() -> None:
    # Gold X = A B E F. P0 has A only, P1 has B E F: P1 shares 3 chars and is the match.
    pred = [[(0, 1)], [(1, 2), (6, 8)], [(3, 5), (9, 11)]]
    score = score_prediction(_gold(), TWO_COLUMNS, pred)
    assert score.articles[0].matched == 1
    assert score.articles[0].shared_chars == 3
    # Tie: X split 2/2 between P0 (A B) and P1 (E F): the first one wins.
    tie = [[(0, 2)], [(6, 8)], [(3, 5), (9, 11)]]
    assert score_prediction(_gold(), TWO_COLUMNS, tie).articles[0].matched == 0


def test_prediction_claiming_a_char_twice_is_rejected() -> None:
    with pytest.raises(ValueError, match="character 1 in two places"):
        score_prediction(_gold(), TWO_COLUMNS, [[(0, 2)], [(1, 3)]])
    with pytest.raises(ValueError, match="outside the text"):
        score_prediction(_gold(), TWO_COLUMNS, [[(0, 99)]])


def test_page_helper_matches_span_scorer_and_reads_block_roles() -> None:
    gold = _gold()
    plans = [
        ArticlePlan([Piece(0, 2, "title"), Piece(6, 8, "body", para=True)], 1.0),
        ArticlePlan([Piece(3, 5, "title"), Piece(9, 11, "body", para=True)], 1.0),
    ]
    page = build_page(
        TWO_COLUMNS, plans, [(12, 13)], language="en", fragment_count=4, warnings=[], version=""
    )
    assert prediction_from_page(page)[0] == [(0, 2, "title"), (6, 8, "body")]
    assert score_page(gold, TWO_COLUMNS, page).title_accuracy == 1.0
    noop = deinterleave(TWO_COLUMNS, method="noop")
    by_page = score_page(gold, TWO_COLUMNS, noop)
    by_spans = score_prediction(gold, TWO_COLUMNS, [[(0, len(TWO_COLUMNS))]])
    assert by_page.bcubed_f1 == pytest.approx(by_spans.bcubed_f1)
    assert by_page.joins_kept == by_spans.joins_kept


# --------------------------------------------------------------------------- validator


def _write(tmp_path: Path, data: dict[str, Any], text: str = TWO_COLUMNS) -> Path:
    (tmp_path / data["text_file"]).write_bytes(text.encode("utf-8"))
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_valid_file_loads(tmp_path: Path) -> None:
    gold, text = load_gold(_write(tmp_path, _gold_dict(TWO_COLUMNS)))
    assert text == TWO_COLUMNS
    assert [a.id for a in gold.articles] == ["x", "y"]


def test_crlf_is_not_translated(tmp_path: Path) -> None:
    text = "AB CD\r\nEF GH\r\n#"
    data = _gold_dict(text)
    data["articles"][0]["pieces"][1].update(start=7, end=9)
    data["articles"][1]["pieces"][1].update(start=10, end=12)
    data["unassigned"][0].update(start=14, end=15)
    _, loaded = load_gold(_write(tmp_path, data, text))
    assert loaded == text


def _broken(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(_gold_dict(TWO_COLUMNS))
    mutate(data)
    return data


def _x(d: dict[str, Any]) -> list[dict[str, Any]]:
    pieces: list[dict[str, Any]] = d["articles"][0]["pieces"]
    return pieces


BAD_FILES: list[tuple[str, Any, str]] = [
    (
        "format",
        lambda d: d.update(format="deinterleave-gold/2"),
        "tiny: format is 'deinterleave-gold/2' (rule: format is 'deinterleave-gold/1')",
    ),
    (
        "sha",
        lambda d: d.update(text_sha256="0" * 64),
        "(rule: text_sha256 is the sha256 of the page file's bytes)",
    ),
    (
        "range",
        lambda d: d["unassigned"][0].update(end=14),
        "tiny: piece 12-14 of unassigned is out of range or empty (text has 13 chars)",
    ),
    (
        "empty",
        lambda d: _x(d)[0].update(end=0),
        "tiny: piece 0-0 of x is out of range or empty",
    ),
    (
        "leading whitespace",
        lambda d: _x(d)[1].update(start=5),
        "tiny: piece 5-8 of x starts with whitespace "
        "(rule: pieces never begin or end with whitespace)",
    ),
    (
        "trailing whitespace",
        lambda d: _x(d)[0].update(end=3),
        "tiny: piece 0-3 of x ends with whitespace",
    ),
    (
        "missing",
        lambda d: _x(d)[1].update(end=7),
        "tiny: character 7 ('F') is in no piece "
        "(rule: every non-whitespace character is in exactly one piece)",
    ),
    (
        "duplicated",
        lambda d: d["unassigned"].append({"start": 10, "end": 11}),
        "tiny: character 10 ('H') is in 2 pieces",
    ),
    (
        "role",
        lambda d: _x(d)[0].update(role="headline"),
        "tiny: piece 0-2 of x has unknown role 'headline'",
    ),
    (
        "first body para",
        lambda d: _x(d)[1].update(para=False),
        "tiny: piece 6-8 of x is the first body piece but lacks para:true",
    ),
    (
        "para only on body",
        lambda d: _x(d)[0].update(para=True),
        "tiny: piece 0-2 of x has para:true on role 'title' (rule: para only on body)",
    ),
    (
        "article order",
        lambda d: d["articles"].reverse(),
        "tiny: article x starts at 0, not after the previous article's first piece at 3",
    ),
    (
        "unique ids",
        lambda d: d["articles"][1].update(id="x"),
        "tiny: article id 'x' repeats (rule: unique article ids)",
    ),
    (
        "no pieces",
        lambda d: d["articles"].append({"id": "z", "pieces": []}),
        "tiny: article z has no pieces",
    ),
]


@pytest.mark.parametrize(("rule", "mutate", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_each_rule_is_enforced(tmp_path: Path, rule: str, mutate: Any, message: str) -> None:
    path = _write(tmp_path, _broken(mutate))
    with pytest.raises(GoldFormatError) as info:
        load_gold(path)
    assert message in str(info.value), (rule, str(info.value))


def test_unknown_key_is_a_format_error(tmp_path: Path) -> None:
    data = _broken(lambda d: _x(d)[1].update(parra=True))
    with pytest.raises(GoldFormatError, match="not a valid gold file"):
        load_gold(_write(tmp_path, data))


def test_missing_text_file_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "lonely.json"
    path.write_text(json.dumps(_gold_dict(TWO_COLUMNS)), encoding="utf-8")
    with pytest.raises(GoldFormatError, match="cannot read text file"):
        load_gold(path)


# --------------------------------------------------------------------------- seed page


def _independent_noop_joins(json_path: Path) -> tuple[int, int, int, int]:
    """Joins of input order on a gold page, straight from FORMAT.md (no library code)."""
    data = json.loads(json_path.read_text(encoding="utf-8"))
    with open(json_path.parent / data["text_file"], encoding="utf-8", newline="") as fh:
        text = fh.read()
    nonspace = [i for i, ch in enumerate(text) if not ch.isspace()]
    following = {a: b for a, b in zip(nonspace, nonspace[1:], strict=False)}
    # the do-nothing prediction: one article, every non-space char in input order
    predicted_next = dict(following)
    joins = kept = broken = broken_kept = 0
    for article in data["articles"]:
        seq = [
            i
            for piece in article["pieces"]
            for i in range(piece["start"], piece["end"])
            if not text[i].isspace()
        ]
        for c1, c2 in zip(seq, seq[1:], strict=False):
            if c2 == c1 + 1:
                continue
            joins += 1
            is_kept = predicted_next.get(c1) == c2
            kept += is_kept
            if following.get(c1) != c2:
                broken += 1
                broken_kept += is_kept
    return kept, joins, broken_kept, broken


def test_seed_gold_is_valid_and_noop_scores_match_independent_count() -> None:
    gold, text = load_gold(SEED_JSON)
    expected = _independent_noop_joins(SEED_JSON)
    assert expected == (477, 528, 0, 51)
    for score in (
        score_page(gold, text, deinterleave(text, method="noop")),
        score_prediction(gold, text, [[(0, len(text))]]),
    ):
        assert (
            score.joins_kept,
            score.joins_total,
            score.broken_kept,
            score.broken_total,
        ) == expected


# --------------------------------------------------------------------------- properties

_CHARS = st.sampled_from(list("abcde甲乙丙") + [" ", " ", "\n", "\u3000"])


def _partition(text: str, order: list[int], cuts: list[int]) -> list[list[tuple[int, int]]]:
    """Every chunk of ``text`` in some article, in a shuffled reading order."""
    chunks = [(c.start, c.end) for c in split_chunks(text)]
    shuffled = [chunks[i] for i in order if i < len(chunks)]
    shuffled += [c for i, c in enumerate(chunks) if i >= len(order)]
    bounds = sorted({0, len(shuffled), *(c % (len(shuffled) + 1) for c in cuts)})
    return [shuffled[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _as_gold(text: str, articles: list[list[tuple[int, int]]]) -> GoldPage:
    ordered = sorted(articles, key=lambda spans: spans[0][0])
    gold = GoldPage.model_validate(
        {
            "format": "deinterleave-gold/1",
            "page_id": "prop",
            "text_file": "prop.txt",
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "language": "und",
            "articles": [
                {
                    "id": f"a{k}",
                    "pieces": [
                        {"start": s, "end": e, "role": "body", "para": j == 0}
                        for j, (s, e) in enumerate(spans)
                    ],
                }
                for k, spans in enumerate(ordered)
            ],
        }
    )
    validate_gold(gold, text)
    return gold


_PAGES = st.tuples(
    st.text(_CHARS, min_size=1, max_size=60),
    st.permutations(range(30)),
    st.lists(st.integers(0, 100), max_size=4),
    st.permutations(range(30)),
    st.lists(st.integers(0, 100), max_size=4),
)


@given(_PAGES)
def test_metric_identities_on_random_pages(case: tuple[str, Any, Any, Any, Any]) -> None:
    text, order_g, cuts_g, order_p, cuts_p = case
    gold_articles = _partition(text, list(order_g), cuts_g)
    assume(gold_articles)
    gold = _as_gold(text, gold_articles)
    pred_articles = _partition(text, list(order_p), cuts_p)
    score = score_prediction(gold, text, pred_articles)
    for value in (score.join_accuracy, score.broken_join_accuracy, score.bcubed_f1):
        assert value is None or 0.0 <= value <= 1.0
    # The gold scored against itself is perfect.
    itself = score_prediction(gold, text, gold_articles)
    assert itself.bcubed_f1 == pytest.approx(1.0)
    assert itself.articles_perfect == itself.articles_total
    assert itself.joins_kept == itself.joins_total
    # Input order keeps exactly the joins the page did not break.
    noop = score_prediction(gold, text, [[(0, len(text))]])
    assert noop.broken_kept == 0
    assert noop.joins_kept == noop.joins_total - noop.broken_total
    # B-cubed is symmetric: swapping gold and prediction swaps precision and recall.
    swapped = score_prediction(_as_gold(text, pred_articles), text, gold_articles)
    assert swapped.bcubed_precision == pytest.approx(score.bcubed_recall)
    assert swapped.bcubed_recall == pytest.approx(score.bcubed_precision)
