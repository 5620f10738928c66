"""Gold labels (``deinterleave-gold/1``) and the benchmark metrics.

The format and the metric definitions live in ``FORMAT.md`` (the
``deinterleave-gold/1`` spec); this module is their executable form. Gold files
are checked rule by rule so that a labelling mistake surfaces as a precise
message instead of a silently wrong score, and every metric works on
character offsets so that it cannot be fooled by text that merely looks alike.

A character is whitespace iff ``str.isspace()`` is true; whitespace never
counts in any metric.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import TypeAlias

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newsdeinterleave.models import ROLES, Page
from newsdeinterleave.text import join_pieces

GOLD_FORMAT = "deinterleave-gold/1"


class GoldFormatError(ValueError):
    """A gold file breaks a rule of the format; ``problems`` lists every breach found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("\n".join(shown) + more)


class GoldPiece(BaseModel):
    """A labelled run of page text; ``role`` is a plain string so bad roles reach the validator."""

    model_config = ConfigDict(extra="forbid")

    start: int
    end: int
    role: str
    para: bool = False
    note: str | None = None


class GoldSpan(BaseModel):
    """An unassigned run (page furniture, artefacts): no role, only a reason."""

    model_config = ConfigDict(extra="forbid")

    start: int
    end: int
    note: str | None = None


class GoldArticle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    pieces: list[GoldPiece]


class GoldPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: str
    page_id: str
    text_file: str
    text_sha256: str
    language: str
    articles: list[GoldArticle]
    unassigned: list[GoldSpan] = Field(default_factory=list)


# --------------------------------------------------------------------------- loading / validation


def load_gold(json_path: str | Path, *, validate: bool = True) -> tuple[GoldPage, str]:
    """Read a gold JSON and the page text it names (relative to the JSON's folder)."""
    path = Path(json_path)
    try:
        gold = GoldPage.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValidationError, json.JSONDecodeError) as err:
        raise GoldFormatError([f"{path}: not a valid gold file: {err}"]) from err
    text_path = path.parent / gold.text_file
    try:
        with open(text_path, encoding="utf-8", newline="") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise GoldFormatError(
            [f"{gold.page_id}: cannot read text file {text_path}: {err}"]
        ) from err
    if validate:
        validate_gold(gold, text)
    return gold, text


def _check_piece(
    page: str, owner: str, start: int, end: int, text: str, problems: list[str]
) -> bool:
    """Range and whitespace rules for one piece; False when the piece is unusable."""
    where = f"{page}: piece {start}-{end} of {owner}"
    if not 0 <= start < end <= len(text):
        problems.append(
            f"{where} is out of range or empty (text has {len(text)} chars) "
            "(rule: 0 <= start < end <= len(text))"
        )
        return False
    if text[start].isspace():
        problems.append(
            f"{where} starts with whitespace (rule: pieces never begin or end with whitespace)"
        )
    if text[end - 1].isspace():
        problems.append(
            f"{where} ends with whitespace (rule: pieces never begin or end with whitespace)"
        )
    return True


def _check_article(page: str, article: GoldArticle, problems: list[str]) -> None:
    """Role and paragraph-mark rules, which concern one article at a time."""
    seen_body = False
    for p in article.pieces:
        where = f"{page}: piece {p.start}-{p.end} of {article.id}"
        if p.role not in ROLES:
            problems.append(f"{where} has unknown role {p.role!r} (rule: role is one of {ROLES})")
        if p.para and p.role != "body":
            problems.append(f"{where} has para:true on role {p.role!r} (rule: para only on body)")
        if p.role == "body" and not seen_body:
            seen_body = True
            if not p.para:
                problems.append(
                    f"{where} is the first body piece but lacks para:true "
                    "(rule: first body piece of an article starts a paragraph)"
                )


def validate_gold(gold: GoldPage, text: str) -> None:
    """Check every rule of FORMAT.md; the error names the page, the offset and the rule."""
    pid = gold.page_id
    problems: list[str] = []
    if gold.format != GOLD_FORMAT:
        problems.append(f"{pid}: format is {gold.format!r} (rule: format is {GOLD_FORMAT!r})")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != gold.text_sha256:
        problems.append(
            f"{pid}: text_sha256 {gold.text_sha256} does not match the text ({digest}) "
            "(rule: text_sha256 is the sha256 of the page file's bytes)"
        )
    seen_ids: set[str] = set()
    count = [0] * len(text)
    previous_first = -1
    for article in gold.articles:
        if article.id in seen_ids:
            problems.append(f"{pid}: article id {article.id!r} repeats (rule: unique article ids)")
        seen_ids.add(article.id)
        if not article.pieces:
            problems.append(f"{pid}: article {article.id} has no pieces (rule: articles are text)")
            continue
        first = article.pieces[0].start
        if first <= previous_first:
            problems.append(
                f"{pid}: article {article.id} starts at {first}, not after the previous "
                f"article's first piece at {previous_first} "
                "(rule: articles are ordered by where their first piece occurs)"
            )
        previous_first = max(previous_first, first)
        _check_article(pid, article, problems)
        for p in article.pieces:
            if _check_piece(pid, article.id, p.start, p.end, text, problems):
                for i in range(p.start, p.end):
                    count[i] += 1
    for u in gold.unassigned:
        if _check_piece(pid, "unassigned", u.start, u.end, text, problems):
            for i in range(u.start, u.end):
                count[i] += 1
    missing = next((i for i, ch in enumerate(text) if count[i] == 0 and not ch.isspace()), None)
    if missing is not None:
        problems.append(
            f"{pid}: character {missing} ({text[missing]!r}) is in no piece "
            "(rule: every non-whitespace character is in exactly one piece)"
        )
    double = next((i for i, c in enumerate(count) if c > 1), None)
    if double is not None:
        problems.append(
            f"{pid}: character {double} ({text[double]!r}) is in {count[double]} pieces "
            "(rule: every non-whitespace character is in exactly one piece)"
        )
    if problems:
        raise GoldFormatError(problems)


# --------------------------------------------------------------------------- predictions

PredSpan: TypeAlias = tuple[int, int] | tuple[int, int, str]
"""``(start, end)`` or ``(start, end, role)``; the role only matters for title accuracy."""

Prediction: TypeAlias = Sequence[Sequence[PredSpan]]


def prediction_from_page(page: Page) -> list[list[tuple[int, int, str]]]:
    """A :class:`Page` as spans with roles, so the same scorer handles any system."""
    out: list[list[tuple[int, int, str]]] = []
    for article in page.articles:
        role_of = {(s.start, s.end): b.role for b in article.blocks for s in b.spans}
        out.append([(s.start, s.end, role_of.get((s.start, s.end), "body")) for s in article.spans])
    return out


def reading_chars(text: str, spans: Sequence[PredSpan] | Sequence[GoldPiece]) -> list[int]:
    """Non-whitespace offsets of the spans, in reading order."""
    out: list[int] = []
    for span in spans:
        start, end = (span.start, span.end) if isinstance(span, GoldPiece) else span[:2]
        out.extend(i for i in range(start, end) if not text[i].isspace())
    return out


def _title(text: str, runs: list[tuple[int, int]]) -> str | None:
    """Title text as a reader joins it (hyphen repair included), whitespace removed."""
    if not runs:
        return None
    joined = join_pieces([text[s:e] for s, e in runs])
    return "".join(ch for ch in joined if not ch.isspace())


def _pred_title(text: str, spans: Sequence[PredSpan]) -> str | None:
    return _title(text, [(s[0], s[1]) for s in spans if len(s) == 3 and s[2] == "title"])


# --------------------------------------------------------------------------- scores


class ArticleScore(BaseModel):
    """How one gold article came out; ``matched`` indexes the prediction (None: no overlap)."""

    gold_id: str
    chars: int
    matched: int | None
    shared_chars: int
    similarity: float
    perfect: bool
    has_title: bool
    title_correct: bool


class PageScore(BaseModel):
    """All metrics of one page plus the counts behind each rate (None: nothing to count)."""

    page_id: str
    chars: int
    joins_total: int
    joins_kept: int
    broken_total: int
    broken_kept: int
    join_accuracy: float | None
    broken_join_accuracy: float | None
    bcubed_precision: float | None
    bcubed_recall: float | None
    bcubed_f1: float | None
    articles_total: int
    articles_perfect: int
    perfect_rate: float | None
    titles_total: int
    titles_correct: int
    title_accuracy: float | None
    mean_similarity: float | None
    articles: list[ArticleScore]


def _rate(kept: int, total: int) -> float | None:
    return kept / total if total else None


def _pred_owner(text: str, prediction: Prediction) -> tuple[dict[int, int], dict[int, int]]:
    """Article index and successor of every predicted character; rejects double claims."""
    owner: dict[int, int] = {}
    successor: dict[int, int] = {}
    for k, spans in enumerate(prediction):
        for span in spans:
            if not 0 <= span[0] <= span[1] <= len(text):
                raise ValueError(f"predicted span {span[0]}-{span[1]} is outside the text")
        seq = reading_chars(text, spans)
        for i in seq:
            if i in owner:
                raise ValueError(f"prediction puts character {i} in two places")
            owner[i] = k
        successor.update(pairwise(seq))
    return owner, successor


def _bcubed(
    gold_of: dict[int, int], pred_of: dict[int, int], chars: list[int]
) -> tuple[float | None, float | None, float | None]:
    """Character-weighted B-cubed; a missing owner makes the character its own singleton."""
    if not chars:
        return None, None, None
    g_ids = [gold_of.get(i, -1 - i) for i in chars]
    p_ids = [pred_of.get(i, -1 - i) for i in chars]
    both = Counter(zip(g_ids, p_ids, strict=True))
    g_size = Counter(g_ids)
    p_size = Counter(p_ids)
    n = len(chars)
    precision = sum(c * c / p_size[p] for (_, p), c in both.items()) / n
    recall = sum(c * c / g_size[g] for (g, _), c in both.items()) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_prediction(gold: GoldPage, text: str, prediction: Prediction) -> PageScore:
    """Score articles given as span lists in reading order against a (validated) gold page."""
    pred_of, successor = _pred_owner(text, prediction)
    chars = [i for i, ch in enumerate(text) if not ch.isspace()]
    next_in_page = dict(pairwise(chars))
    gold_of: dict[int, int] = {}
    joins = kept = broken = broken_kept = 0
    sequences: list[list[int]] = []
    for g, article in enumerate(gold.articles):
        seq = reading_chars(text, article.pieces)
        sequences.append(seq)
        for i in seq:
            gold_of[i] = g
        for c1, c2 in pairwise(seq):
            if c2 == c1 + 1:
                continue
            is_kept = successor.get(c1) == c2
            joins += 1
            kept += is_kept
            if next_in_page.get(c1) != c2:
                broken += 1
                broken_kept += is_kept
    precision, recall, f1 = _bcubed(gold_of, pred_of, chars)
    pred_seqs = [reading_chars(text, spans) for spans in prediction]
    scores = [
        _article_score(text, gold.articles[g], seq, prediction, pred_seqs, pred_of)
        for g, seq in enumerate(sequences)
    ]
    titled = [s for s in scores if s.has_title]
    perfect = sum(s.perfect for s in scores)
    titles_ok = sum(s.title_correct for s in titled)
    return PageScore(
        page_id=gold.page_id,
        chars=len(chars),
        joins_total=joins,
        joins_kept=kept,
        broken_total=broken,
        broken_kept=broken_kept,
        join_accuracy=_rate(kept, joins),
        broken_join_accuracy=_rate(broken_kept, broken),
        bcubed_precision=precision,
        bcubed_recall=recall,
        bcubed_f1=f1,
        articles_total=len(scores),
        articles_perfect=perfect,
        perfect_rate=_rate(perfect, len(scores)),
        titles_total=len(titled),
        titles_correct=titles_ok,
        title_accuracy=_rate(titles_ok, len(titled)),
        mean_similarity=(sum(s.similarity for s in scores) / len(scores)) if scores else None,
        articles=scores,
    )


def _article_score(
    text: str,
    article: GoldArticle,
    seq: list[int],
    prediction: Prediction,
    pred_seqs: list[list[int]],
    pred_of: dict[int, int],
) -> ArticleScore:
    """Match a gold article to the predicted article sharing most characters (ties: first)."""
    overlap = Counter(pred_of[i] for i in seq if i in pred_of)
    matched: int | None = None
    shared = 0
    if overlap:
        matched, shared = min(overlap.items(), key=lambda kv: (-kv[1], kv[0]))
    gold_title = _title(text, [(p.start, p.end) for p in article.pieces if p.role == "title"])
    gold_text = "".join(text[i] for i in seq)
    if matched is None:
        similarity, perfect, title_ok = 0.0, False, False
    else:
        pred_text = "".join(text[i] for i in pred_seqs[matched])
        similarity = difflib.SequenceMatcher(None, gold_text, pred_text).ratio()
        perfect = pred_seqs[matched] == seq
        title_ok = gold_title is not None and _pred_title(text, prediction[matched]) == gold_title
    return ArticleScore(
        gold_id=article.id,
        chars=len(seq),
        matched=matched,
        shared_chars=shared,
        similarity=similarity,
        perfect=perfect,
        has_title=gold_title is not None,
        title_correct=title_ok,
    )


def score_page(gold: GoldPage, text: str, page: Page) -> PageScore:
    """Score a library result; titles come from the blocks' roles (as ``Article.title`` does)."""
    return score_prediction(gold, text, prediction_from_page(page))
