"""What changed between two builds: which earlier build is compared, which figures moved, which sentences."""

from __future__ import annotations

from reportgen.analysis.changes_since import Snapshot, choose_previous, compare, diff_sentences, sentences

B = 1_000_000_000


def facts(exports: int, imports: int, **extra) -> dict:
    """The parts of `reportgen facts --json` the comparison reads."""
    return {"exports": exports, "imports": imports, "balance": exports - imports, "total_trade": exports + imports,
            "change_pct": {"exports": 3.1, "imports": 6.4, "balance": 13.6, "total_trade": 5.1},
            "ranks": {"total_trade": 1, "exports": 2, "imports": 1},
            "share_pct": {"total_trade": 15.7, "exports": 16.2, "imports": 15.4}, "record": True, **extra}


def snap(period: str, built_at: str, published: bool = True, **kw) -> Snapshot:
    return Snapshot(period, f"2026-{built_at}Z", "v", published, **kw)


def test_a_published_build_of_the_same_period_makes_it_a_revision():
    current = snap("2024", "11-02T10:00:00", published=False)
    builds = [snap("2024", "10-01T09:00:00"), snap("2024", "10-20T09:00:00"), snap("2023", "10-25T09:00:00"),
              snap("2024", "10-30T09:00:00", published=False),  # a draft never approved is nobody's "previous"
              current]
    before, basis = choose_previous(current, builds)
    assert basis == "revision" and before.built_at == "2026-10-20T09:00:00Z"


def test_without_one_the_latest_earlier_period_of_the_same_kind_is_compared():
    current = snap("2024-12", "11-02T10:00:00", published=False)
    builds = [snap("2024-10", "10-01T09:00:00"), snap("2024-11", "10-02T09:00:00"), snap("2024-11", "10-03T09:00:00"),
              snap("2024", "10-04T09:00:00"),  # a year is not the month before
              snap("2024-11-ytd", "10-05T09:00:00"), snap("2025-01", "10-06T09:00:00"), current]
    before, basis = choose_previous(current, builds)
    assert basis == "earlier" and (before.period, before.built_at) == ("2024-11", "2026-10-03T09:00:00Z")
    assert choose_previous(current, [snap("2024", "10-04T09:00:00"), current]) == (None, "none")


def test_a_revised_figure_is_marked_with_its_difference_and_whether_the_text_shows_it():
    before = snap("2024", "10-01T09:00:00", facts=facts(334_041_000_000, 505_850_000_000))
    after = snap("2024", "11-01T09:00:00", facts=facts(334_041_000_000 + 40_000_000, 503_110_100_000))
    c = compare(before, after, "revision")
    rows = {f.key: f for f in c.figures}
    assert rows["imports"].changed and rows["imports"].difference == -2_739_900_000 and rows["imports"].shows
    assert rows["balance"].before == -171_809_000_000 and rows["balance"].after == -169_029_100_000
    assert rows["exports"].changed and rows["exports"].difference == 40_000_000 and not rows["exports"].shows
    assert not rows["ranks.total_trade"].changed and not rows["record"].changed
    assert c.figures_changed == 4  # exports, imports, balance and total trade; percentages and ranks as before
    assert c.facts_kept


def test_an_earlier_build_without_kept_facts_compares_only_the_story():
    before = snap("2024", "10-01T09:00:00", story="Old headline")
    c = compare(before, snap("2024", "11-01T09:00:00", facts=facts(1 * B, 2 * B), story="New headline"), "revision")
    assert c.figures == () and not c.facts_kept
    assert [(s.op, s.text) for s in c.sentences] == [("removed", "Old headline"), ("added", "New headline")]
    assert c.sentences_changed == 1  # one sentence rewritten


def test_sentences_do_not_end_at_abbreviations():
    text = ("Oct. 1, 2026 · U.S. Census Bureau data through December 2024\n"
            "The deficit was $14.5 billion, the Census Bureau reported on Oct. 1. Imports rose 7.0% to "
            "$39.0 billion. Mexico (No. 1) led the U.S. partners.")
    assert sentences(text) == [
        "Oct. 1, 2026 · U.S. Census Bureau data through December 2024",
        "The deficit was $14.5 billion, the Census Bureau reported on Oct. 1.",
        "Imports rose 7.0% to $39.0 billion.",
        "Mexico (No. 1) led the U.S. partners.",
    ]


def test_sentence_diff_pairs_a_rewritten_sentence_with_its_earlier_version():
    old = "Headline A\nFirst sentence. The deficit was $168.6 billion in 2024. Third sentence."
    new = ("Headline B\nFirst sentence. A revision note came in. The deficit was $171.4 billion in 2024. "
           "Third sentence. A new fourth.")
    changes = diff_sentences(old, new)
    assert [(s.op, s.text) for s in changes] == [
        ("removed", "Headline A"), ("added", "Headline B"), ("same", "First sentence."),
        ("added", "A revision note came in."),
        ("removed", "The deficit was $168.6 billion in 2024."), ("added", "The deficit was $171.4 billion in 2024."),
        ("same", "Third sentence."), ("added", "A new fourth."),
    ]
    was, now = changes[4].words, changes[5].words
    assert was == (("The deficit was", False), ("$168.6", True), ("billion in 2024.", False))
    assert now == (("The deficit was", False), ("$171.4", True), ("billion in 2024.", False))
    assert changes[3].words == ()  # a new sentence has no earlier version to mark against
    assert [s.op for s in diff_sentences("", "One. Two.")] == ["added", "added"]
