"""Generations (index/generation.py): what one committed index state derives, lent to
one search at a time per searcher, dropped as a whole when a newer state replaces it."""

import threading

from conftest import DATA


def test_a_search_does_not_wait_for_a_searcher_another_thread_holds(seeded_copy):
    """Two threads of one process search at once: each borrows a searcher of its own
    (before, every search held the snapshot's one lock)."""
    snapshot = seeded_copy.snapshot()
    found = []
    with snapshot.reading() as generation, generation.searcher() as held:
        assert held.doc_count() == 5
        other = threading.Thread(target=lambda: found.append(
            seeded_copy.reopen().records.search("李玉柱")["total"]))
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()  # finished while this thread holds its searcher
        assert found == [1]
        assert held.doc_count() == 5


def test_an_update_makes_a_new_generation_and_the_old_closes_after_its_last_search(
        seeded_copy):
    snapshot = seeded_copy.snapshot()
    with snapshot.reading() as old, old.searcher() as searcher:
        seeded_copy.imports.import_paths([DATA / "hubei-2019-2020-honorees.json"])
        with snapshot.reading() as new:
            assert new is not old and new.doc_count == 7
            assert new.segments is old.segments  # per-segment parts carried over
        assert searcher.doc_count() == 5  # the old state still answers its search
        assert not old._closed
    assert old._closed  # retired, and its last user is done
    assert seeded_copy.records.search("欧阳晓明")["total"] == 1


def test_derived_state_is_the_generations_own(seeded_copy):
    """The lexicon and keywords are built once per generation and kept by it; the query
    builder looks terms up in the searcher it is given."""
    snapshot = seeded_copy.snapshot()
    with snapshot.reading() as generation:
        assert generation.lexicon() is generation.lexicon()
        calls = []

        def compute(g, limit):
            calls.append(limit)
            return {"2017-2018": [{"word": "投诉"}] * limit}
        assert len(generation.keywords(5, compute)["2017-2018"]) == 5
        assert len(generation.keywords(3, compute)["2017-2018"]) == 3  # sliced, not recomputed
        assert calls == [5]
        with generation.searcher() as searcher:
            builder = generation.query_builder(searcher)
            assert builder.known is generation.known
            assert builder.alias_of is generation.alias_of
