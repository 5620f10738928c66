"""Hypothesis strategies and an independent result checker, shared by tests and the fuzzer.

Two families of input matter: arbitrary Unicode (the engine must never crash
or lose a character, whatever it is fed) and realistic interleaved pages (the
inputs the engine actually reasons about, where its decisions are non-trivial
and bugs in span bookkeeping would show). The realistic pages are built from
sentences written here, not read from the shared corpus, so the tests do not
depend on files outside the repository.

:func:`check_page` re-derives the library's promises with its own code rather
than calling :func:`newsdeinterleave.assembly.verify_lossless`, so a bug in
that verifier cannot hide a bug in the engine.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from newsdeinterleave.models import Page, Span

# ---------------------------------------------------------------------------
# Arbitrary text
# ---------------------------------------------------------------------------

#: Every code point that ``str.isspace`` accepts (the library's notion of whitespace).
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())

#: Characters that have broken text pipelines before: line/paragraph separators,
#: NEL, BOM, ZWJ/ZWSP, bidi marks, NUL and C0/C1 controls, lone surrogates,
#: combining marks, private use, non-characters.
NASTY = (
    "\x00\x01\x07\x08\x1b\x7f\x80\x9f\ufeff\ufffe\uffff\ufffd"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u0301\u0308\u20dd\u3099\ue000\U0010ffff\U0001f600\U0001f468"
    "\ud800\udbff\udc00\udfff"
    "-\u00ad\u2010\u2011\u2014"
)

#: Ordinary letters of several scripts, so that generated text has real words.
LETTERS = (
    "abcxyzABCXYZ0189新闻株洲经开区日本語カタカナ한국어العربيةשלוםабв.,;:!?()\"'。,、;:!?《》“”"
)

LINE_ENDINGS = (
    "\n",
    "\r\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
)

any_char = st.characters(exclude_categories=())
"""Any code point at all, lone surrogates included (they are valid Python ``str``)."""


def arbitrary_text(max_size: int = 400) -> st.SearchStrategy[str]:
    """Unicode text that is mostly hostile: any code point, or a dense mix of the tricky ones."""
    fully_random = st.text(alphabet=any_char, max_size=max_size)
    mixed = st.text(
        alphabet=st.one_of(
            st.sampled_from(WHITESPACE),
            st.sampled_from(NASTY),
            st.sampled_from(LETTERS),
            any_char,
        ),
        max_size=max_size,
    )
    lines = st.lists(
        st.text(alphabet=st.sampled_from(LETTERS + " \t\u3000\u00a0"), max_size=40),
        max_size=20,
    ).flatmap(
        lambda parts: st.lists(
            st.sampled_from(LINE_ENDINGS), min_size=len(parts), max_size=len(parts)
        ).map(lambda ends: "".join(p + e for p, e in zip(parts, ends, strict=True)))
    )
    return st.one_of(fully_random, mixed, lines)


#: Small nasty pages without lone surrogates (which ``model_dump_json`` cannot encode),
#: for tests that compare JSON output.
HOSTILE_SAMPLES = (
    "",
    " \t\u3000\n",
    "\ufeffHeadline\r\nBody one\rBody two\u2028Body three\x85end",
    "株洲经开区 The council\x00 日本語 한국어 العربية 👩\u200d👩\u200d👧 e\u0301",
    "exam-\nple of a hyphen-\nated line",
    "。,、;:!?" * 20,
)


# ---------------------------------------------------------------------------
# Realistic interleaved pages
# ---------------------------------------------------------------------------

ZH_SENTENCES = (
    "今年以来,该区已成功签约引进产业项目二十九个,总投资额达一百一十八亿元。",
    "园区坚持把项目建设作为推动高质量发展的主抓手。",
    "记者从市交通运输局获悉,新建的跨江大桥将于年底前建成通车。",
    "这座大桥全长三千二百米,设计时速为每小时六十公里。",
    "村民们纷纷表示,道路修好了,农产品运出去更方便了。",
    "近日,市场监督管理局开展了食品安全专项检查行动。",
    "此次检查共出动执法人员一百二十人次,检查经营主体三百余家。",
    "对发现的问题,执法人员当场下达了责令整改通知书。",
    "据了解,该镇今年共种植优质水稻一万二千亩。",
    "合作社负责人介绍,今年的收成比去年增加了两成左右。",
    "为进一步提升群众满意度,县政务服务中心推出了延时服务。",
    "群众可以在工作日中午和周末办理社保、医保等高频事项。",
    "学校新建的图书馆正式向师生开放,馆藏图书超过五万册。",
    "孩子们在宽敞明亮的阅览室里安静地读书。",
    "11月25日,区委召开专题会议,研究部署冬季安全生产工作。",
    "会议要求,各部门要压实责任,确保不发生重大安全事故。",
    "该公司自主研发的新型材料已获得十二项国家发明专利。",
    "产品远销欧洲、东南亚等二十多个国家和地区。",
    "河长们一边打捞河面漂浮物,一边向过往村民宣传护河知识。",
    "经过三年治理,这条河的水质已稳定达到三类标准。",
    "社区志愿者定期上门为独居老人提供理发、打扫等服务。",
    "“有了他们的帮助,我们的日子过得更舒心了。”一位老人说。",
    "据统计,前三季度全市实现地区生产总值一千八百亿元。",
    "同比增长百分之七点二,增速位居全省前列。",
    "下一步,该局将继续加大执法力度,严厉打击各类违法行为。",
    "活动现场,工作人员向过往群众发放宣传资料五百余份。",
    "该项目建成后,预计每年可实现产值三十亿元。",
    "将带动周边一千余名群众在家门口就业。",
    "文化广场上,一场精彩的文艺演出吸引了众多市民驻足观看。",
    "演员们用歌舞、小品等形式,展现了乡村振兴的新面貌。",
)

EN_SENTENCES = (
    "The city council approved a new budget for road repairs on Tuesday.",
    "Officials said the work would begin in the spring and last two years.",
    "Residents have complained for months about potholes on the main avenue.",
    "The central bank held interest rates steady at its latest meeting.",
    "Analysts had widely expected the decision, citing slowing inflation.",
    "Shares in the company rose four percent in early trading.",
    "The firm reported quarterly revenue of 2.3 billion dollars.",
    "Heavy rain caused flooding in several low-lying districts overnight.",
    "Emergency crews evacuated more than three hundred people.",
    "No injuries were reported, according to the local fire service.",
    "The museum will reopen next month after a lengthy renovation.",
    "Visitors will be able to see restored paintings from the collection.",
    "Negotiators from both sides met again in Geneva on Friday.",
    "A spokesperson described the talks as constructive but difficult.",
    "The national team won its opening match by two goals to nil.",
    "The coach praised the defence for a disciplined performance.",
    "Farmers in the region expect a record harvest this autumn.",
    "Warm weather and timely rainfall helped the wheat crop.",
    "The new railway line will cut travel time between the cities by half.",
    "Construction is expected to create about five thousand jobs.",
    "Hospital waiting lists have grown for the third year in a row.",
    "The health minister promised additional funding for nurses.",
    "Scientists have discovered a new species of frog in the rainforest.",
    "The tiny amphibian measures less than one centimetre in length.",
    "Police are appealing for witnesses after a collision on the bridge.",
    "The school board voted to extend the academic year by one week.",
    "Teachers' unions said they had not been consulted on the change.",
    "Oil prices fell sharply after producers agreed to raise output.",
    "The airport handled a record number of passengers in August.",
    "Electricity demand peaked during the heatwave on Wednesday afternoon.",
)

ZH_TITLES = (
    "创新驱动发展",
    "乡村振兴见实效",
    "为民服务解难题",
    "安全生产百日大会战",
    "河湖治理水平提升",
)
EN_TITLES = ("Council backs road plan", "Rates on hold", "Floods hit districts", "Museum to reopen")
ZH_STRAYS = ("(记者 张明 李华)", "何勇 摄", "(通讯员 王芳)", "图为活动现场", "本报讯")
EN_STRAYS = ("(Reporting by Jane Doe)", "Photo: John Smith", "Continued on page 4", "Reuters")


def _wrap(text: str, width: int, *, cjk: bool, rng: random.Random) -> list[str]:
    """Cut a paragraph into printed lines: CJK by character count, Latin at spaces or hyphenated."""
    if cjk:
        return [text[i : i + width] for i in range(0, len(text), width)]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width or not current:
            current = candidate
            continue
        room = width - len(current) - 2
        if room >= 2 and len(word) > 5 and rng.random() < 0.3:
            lines.append(f"{current} {word[:room]}-")
            current = word[room:]
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _article_lines(
    rng: random.Random, sentences: list[str], titles: list[str], *, cjk: bool
) -> list[list[str]]:
    """One article as printed blocks (title, byline, paragraphs), each a list of lines.

    ``sentences`` and ``titles`` are the page's shuffled pools, consumed here so
    that two articles of one page never share text (as on a real page).
    """
    width = rng.randint(12, 18) if cjk else rng.randint(24, 40)
    sep = "" if cjk else " "
    blocks = [[titles.pop() if titles else sentences.pop()[:10]]]
    if rng.random() < 0.5:
        blocks.append([rng.choice(ZH_STRAYS if cjk else EN_STRAYS)])
    for _ in range(rng.randint(1, 3)):
        paragraph = sep.join(sentences.pop() for _ in range(rng.randint(1, 2)))
        blocks.append(_wrap(paragraph, width, cjk=cjk, rng=rng))
    return blocks


def make_interleaved_page(rng: random.Random) -> str:
    """A page whose 2-4 articles' lines are mixed the way PDF extraction mixes columns.

    The operations are the ones visible on the seed page: visual lines of one
    paragraph joined with spaces into one line, lines of different columns
    alternating, two columns' lines spliced onto one line with a space, stray
    titles and photo credits dropped in between, blank lines and assorted line
    endings.
    """
    language = rng.choice(("zh", "en", "mixed"))
    pools = {
        cjk: (rng.sample(sentences, len(sentences)), rng.sample(titles, len(titles)))
        for cjk, sentences, titles in (
            (True, ZH_SENTENCES, ZH_TITLES),
            (False, EN_SENTENCES, EN_TITLES),
        )
    }
    streams: list[list[str]] = []
    for _ in range(rng.randint(2, 4)):
        cjk = language == "zh" or (language == "mixed" and rng.random() < 0.5)
        stream: list[str] = []
        for block in _article_lines(rng, *pools[cjk], cjk=cjk):
            if rng.random() < 0.5:
                stream.append(" ".join(block))
            else:
                stream.extend(block)
        streams.append(stream)
    strays = ZH_STRAYS + EN_STRAYS
    newline = rng.choice(("\n", "\n\n", "\r\n", "\n\n\n"))
    out: list[str] = []
    while any(streams):
        live = [s for s in streams if s]
        roll = rng.random()
        if roll < 0.15 and len(live) >= 2:
            a, b = rng.sample(live, 2)
            out.append(f"{a.pop(0)} {b.pop(0)}")
        elif roll < 0.2:
            out.append(rng.choice(strays))
        else:
            stream = rng.choice(live)
            for _ in range(rng.randint(1, 3)):
                if stream:
                    out.append(stream.pop(0))
    return newline.join(out) + rng.choice(("", "\n", newline))


interleaved_pages: st.SearchStrategy[str] = st.randoms(use_true_random=False).map(
    make_interleaved_page
)
"""Realistic interleaved pages; Hypothesis drives (and shrinks) the random choices."""


def _mutate(page: str, edits: list[tuple[int, str]]) -> str:
    chars = list(page)
    for position, insert in edits:
        at = position % (len(chars) + 1)
        chars[at:at] = insert
    return "".join(chars)


mutated_pages: st.SearchStrategy[str] = st.builds(
    _mutate,
    interleaved_pages,
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**6),
            st.one_of(st.sampled_from(NASTY), st.sampled_from(WHITESPACE), any_char),
        ),
        min_size=1,
        max_size=12,
    ),
)
"""Realistic pages with hostile characters dropped in: the engine's real paths, fed junk."""


def sample_pages(count: int, seed: int = 20261127) -> list[str]:
    """A fixed list of realistic pages for tests that need plain inputs (e.g. subprocesses)."""
    rng = random.Random(seed)
    return [make_interleaved_page(rng) for _ in range(count)]


# ---------------------------------------------------------------------------
# The independent oracle
# ---------------------------------------------------------------------------


def _squash(s: str) -> str:
    return "".join(ch for ch in s if not ch.isspace())


def all_spans(page: Page) -> list[Span]:
    return [s for a in page.articles for s in a.spans] + list(page.unassigned)


def check_page(text: str, page: Page) -> None:
    """Assert every promise the library makes about one result, with code of its own.

    Lossless (each non-whitespace char in exactly one span), spans valid and
    disjoint and trimmed of whitespace, blocks partitioning each article's
    spans in reading order, block text made of exactly its spans' characters,
    articles numbered in order of first character.
    """
    n = len(text)
    assert isinstance(page, Page), type(page)
    assert page.text_length == n
    spans = all_spans(page)
    for span in spans:
        assert 0 <= span.start < span.end <= n, f"bad span {span} for text of length {n}"
        assert not text[span.start].isspace(), f"span {span} starts on whitespace"
        assert not text[span.end - 1].isspace(), f"span {span} ends on whitespace"
    previous_end = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        assert span.start >= previous_end, f"span {span} overlaps one ending at {previous_end}"
        gap = text[previous_end : span.start]
        assert not gap or gap.isspace(), f"non-whitespace {gap!r} before {span} is in no span"
        previous_end = span.end
    tail = text[previous_end:]
    assert not tail or tail.isspace(), f"non-whitespace {tail[:40]!r} at the end is in no span"

    if not text or text.isspace():
        assert page.articles == [] and page.unassigned == []
    assert [s.start for s in page.unassigned] == sorted(s.start for s in page.unassigned)
    ids = [a.id for a in page.articles]
    assert len(set(ids)) == len(ids), f"duplicate article ids {ids}"
    firsts = [min(s.start for s in a.spans) for a in page.articles if a.spans]
    assert firsts == sorted(firsts), "articles are not in order of their first character"
    for article in page.articles:
        assert article.spans, f"article {article.id} has no spans"
        assert 0.0 <= article.confidence <= 1.0
        block_spans = [s for b in article.blocks for s in b.spans]
        assert block_spans == article.spans, f"blocks of {article.id} do not partition its spans"
        for block in article.blocks:
            source = "".join(s.text(text) for s in block.spans)
            # A join may drop a line-end hyphen, and nothing else.
            assert _squash(block.text).replace("-", "") == _squash(source).replace("-", "")
            assert len(_squash(block.text)) <= len(_squash(source))
