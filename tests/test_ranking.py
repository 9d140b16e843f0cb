"""Combining posting lists and collapsing hits to one per person: counting over every
docnum (large lists) and sorting (small ones) give the same documents, the same
scores to the last bit, and the same choice of each person's entry."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from index import ranking
from index.schema import GROUP

N = 400


def _part(rng, size):
    ids = np.sort(rng.choice(N, size=size, replace=False)).astype(np.int64)
    # Few distinct scores: ties between documents and between people happen.
    return ids, rng.choice([0.5, 1.25, 2.0, 3.1], size=size)


class _Table:
    def __init__(self, codes):
        self.n = N
        self.codes = {GROUP: codes}
        self.values = {GROUP: [str(i) for i in range(int(codes.max()) + 1)]}


def _both(monkeypatch, compute):
    monkeypatch.setattr(ranking, "DENSE", 10 ** 9)  # always count over every docnum
    dense = compute()
    monkeypatch.setattr(ranking, "DENSE", 0)  # never
    return dense, compute()


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), sizes=st.lists(st.integers(0, N), min_size=2,
                                                         max_size=4))
def test_dense_and_sorted_union_and_intersection_agree(seed, sizes):
    from _pytest.monkeypatch import MonkeyPatch
    rng = np.random.default_rng(seed)
    parts = [_part(rng, size) for size in sizes]
    with MonkeyPatch.context() as mp:
        for combine in (ranking._union, ranking._intersection):
            dense, sorted_ = _both(mp, lambda: combine(parts, N))
            assert dense[0].tolist() == sorted_[0].tolist()
            assert dense[1].tolist() == sorted_[1].tolist()  # bit for bit
    everywhere = set.intersection(*(set(p[0].tolist()) for p in parts))
    assert ranking._intersection(parts, N)[0].tolist() == sorted(everywhere)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), size=st.integers(1, N), people=st.integers(1, 60),
       counted=st.booleans())
def test_dense_and_sorted_collapse_agree(seed, size, people, counted):
    from _pytest.monkeypatch import MonkeyPatch
    rng = np.random.default_rng(seed)
    ids, scores = _part(rng, size)
    table = _Table(rng.integers(0, people, size=N).astype(np.int32))
    matched = rng.integers(0, 3, size=size) if counted else None
    with MonkeyPatch.context() as mp:
        dense, sorted_ = _both(mp, lambda: ranking.collapse(table, ids, scores, matched))
    assert dense[0].tolist() == sorted_[0].tolist()
    assert dense[1].tolist() == sorted_[1].tolist()
    # One entry per person: the best (matched words, then score), the lowest docnum of ties.
    groups = table.codes[GROUP]
    assert len(set(groups[dense[0]].tolist())) == len(dense[0])
    assert set(groups[dense[0]].tolist()) == set(groups[ids].tolist())
    key = scores + (matched * 1e7 if counted else 0)
    for doc in dense[0].tolist():
        mine = [i for i in range(size) if groups[ids[i]] == groups[doc]]
        best = max(key[i] for i in mine)
        assert doc == min(ids[i] for i in mine if key[i] == best)
