"""Reading text: how pieces are joined and which spaces a reader drops."""

from __future__ import annotations

from newsdeinterleave.text import detect_language, join_pieces, reading_text


def test_visual_line_joins_inside_cjk_lose_their_space() -> None:
    assert reading_text("传来好消息,该 区今年以来") == "传来好消息,该区今年以来"


def test_printed_spaces_in_names_and_figures_stay() -> None:
    assert reading_text("刘爱明 张 咪 傅相玮") == "刘爱明 张 咪 傅相玮"
    assert reading_text("活动 1-6 月考核中") == "活动 1-6 月考核中"


def test_pieces_join_by_script() -> None:
    assert join_pieces(["株洲经开区", "传来好消息"]) == "株洲经开区传来好消息"
    assert join_pieces(["The cat", "sat down"]) == "The cat sat down"
    assert join_pieces(["an exam-", "ple of it"]) == "an example of it"


def test_language_detection() -> None:
    assert detect_language("株洲经开区传来好消息") == "zh"
    assert detect_language("The stock traded around 12") == "en"
    assert detect_language("1234 !!!") == "und"
