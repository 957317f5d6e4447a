"""What a search query is, and the excerpt a hit shows (no database)."""

from __future__ import annotations

import pytest

from projections.search_index import SEPARATOR
from projections.search_query import BadQuery, SearchQuery, excerpt


def test_a_query_is_its_distinct_terms_with_full_width_letters_and_digits_made_ascii() -> None:
    assert SearchQuery.parse(" 加装\u3000电梯 加装 ３号楼 ＷｉＦｉ，").terms == (
        "加装",
        "电梯",
        "3号楼",
        "WiFi，",  # Chinese punctuation stays as it is
    )


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "EMPTY"),
        ("\u3000 ", "EMPTY"),
        ("梯" * 101, "TOO_LONG"),
        ("电梯\t加装", "CONTROL_CHARACTER"),
        ("电梯\x00", "CONTROL_CHARACTER"),
        ("\ud800", "CONTROL_CHARACTER"),
        (" ".join("一二三四五六七八九"), "TOO_MANY_TERMS"),
    ],
)
def test_a_query_that_cannot_be_searched_says_why(query: str, reason: str) -> None:
    with pytest.raises(BadQuery) as refused:
        SearchQuery.parse(query)
    assert refused.value.reason == reason


def test_an_excerpt_is_the_text_around_the_first_term_in_the_first_field_holding_one() -> None:
    minutes = "会议开始。" * 10 + "经讨论，同意老旧小区\n\n加装电梯，" + "资金由居民分摊。" * 10
    found = excerpt(f"九月例会{SEPARATOR}{minutes}", ["电梯", "资金"])
    assert found.field == 1
    assert found.text.startswith("…") and found.text.endswith("…")
    assert "同意老旧小区 加装电梯，资金" in found.text
    assert len(found.text) <= 20 + 2 + 40 + 2
    assert excerpt(f"Lift WIFI{SEPARATOR}x", ["wifi"]) == type(found)(0, "Lift WIFI")
