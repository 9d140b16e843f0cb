"""The analyzer: normalisation, segmentation equal to jieba's, offsets, pinyin."""

import sys
from collections import Counter

import pytest

from index import analysis, build

from conftest import DATA, ROOT, SEED

sys.path.insert(0, str(ROOT / "scripts"))
import make_corpus  # noqa: E402


def test_normalize_keeps_length_and_folds():
    for text in ("聯通張娜", "ＡＤＳＬ　１２３", "中國電信股份有限公司", "Li Yuzhu", "ǅ", "İ"):
        assert len(analysis.normalize(text)) == len(text)
    assert analysis.normalize("聯通張娜") == "联通张娜"
    assert analysis.normalize("ＡＤＳＬ１２３") == "adsl123"
    assert analysis.normalize("中國電信") == "中国电信"


@pytest.fixture(scope="module")
def texts_and_words(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    make_corpus.make(200, 11, out)
    from archive.ingest import parse_file
    texts, entries = [], []
    for path in [SEED, DATA / "sichuan-2019-2020-candidates.txt", *sorted(out.glob("*.txt"))]:
        parsed = parse_file(path)
        texts.append(parsed.text)
        entries += parsed.entries
    return texts, build.dictionary_words(entries)


def test_fast_segmentation_equals_jieba_with_user_words(texts_and_words, tmp_path):
    texts, words = texts_and_words
    path = tmp_path / "userdict.txt"
    assert analysis.write_dictionary(path, words) > 100
    fast = analysis.segmenter(analysis.load_dictionary(path))
    reference = analysis.reference_segmenter(path)
    tokens = 0
    for text in texts:
        norm = analysis.normalize(text)
        expected = list(reference.tokenize(norm, HMM=False))
        assert [tuple(t) for t in fast.tokenize(norm, "default", False)] == expected
        tokens += len(expected)
    assert tokens > 100000
    # The user words stay whole, in citations too.
    assert ("李玉柱", 0, 3) in reference.tokenize("李玉柱同志", HMM=False)


def test_tokenizer_offsets_point_into_the_original_text(tmp_path):
    path = tmp_path / "userdict.txt"
    analysis.write_dictionary(path, ["李玉柱"])
    tokenizer = analysis.chinese_analyzer(analysis.load_dictionary(path))
    text = "聯通的李玉柱同志，負責ＡＤＳＬ線路。"
    tokens = [(t.text, t.startchar, t.endchar, t.pos)
              for t in tokenizer(text, positions=True, chars=True)]
    for word, start, end, _ in tokens:
        assert analysis.normalize(text[start:end]) == word
    assert ("李玉柱", 3, 6) in [(w, s, e) for w, s, e, _ in tokens]
    assert ("adsl", 11, 15) in [(w, s, e) for w, s, e, _ in tokens]
    assert "，" not in [w for w, *_ in tokens]  # punctuation dropped
    positions = [p for *_, p in tokens]
    assert positions == sorted(positions) and positions[-1] < len(tokens)


def test_pinyin_keys():
    assert {"liyuzhu", "lyz", "yuzhu"} <= set(analysis.pinyin_keys("李玉柱"))
    assert "xiaoming" in analysis.pinyin_keys("欧阳晓明")
    assert analysis.pinyin_query("Li Yu zhu") == "liyuzhu"
    assert analysis.pinyin_query("李") is None


def test_an_evicted_dictionary_is_loaded_again(tmp_path):
    """A long-lived snapshot keeps working after newer snapshots pushed its jieba
    dictionary out (KEEP_SEGMENTERS): it used to raise LookupError."""
    from index import analysis
    digests = []
    for n in range(analysis.KEEP_SEGMENTERS + 1):
        path = tmp_path / f"userdict-{n}.txt"
        path.write_text(f"集中处理专席{n} 100\n", "utf-8")
        digests.append(analysis.load_dictionary(path))
    words = analysis.analyze("集中处理专席0", digests[0])
    assert words == ["集中处理专席0"]


def test_the_bulk_writers_term_lists_are_the_tokenizers_tokens(texts_and_words, tmp_path):
    """ChineseTokenizer.terms / counts / positioned and PairTokenizer.terms / counts
    (what index.bulk counts) list exactly the tokens an index-time call yields, on the seed, a real
    list and synthetic notices, with and without the parts of long words."""
    texts, words = texts_and_words
    path = tmp_path / "userdict.txt"
    analysis.write_dictionary(path, words)
    digest = analysis.load_dictionary(path)
    analyzers = [analysis.chinese_analyzer(digest), analysis.chinese_analyzer(digest, parts=True),
                 analysis.PairTokenizer(digest)]
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    lines += ["聯通的李玉柱同志，負責ＡＤＳＬ線路。", "深圳10086热线班", "", "，。！"]
    counted = 0
    for analyzer in analyzers:
        for line in lines:
            tokens = [(t.text, t.pos) for t in analyzer(line, positions=True, mode="index")]
            assert analyzer.terms(line) == [text for text, _ in tokens]
            assert analyzer.counts(line) == Counter(text for text, _ in tokens)
            assert analyzer.positioned(line) == tokens
            counted += len(tokens)
    assert counted > 100_000


@pytest.mark.parametrize("text", ["", "没有全角字符的一段话", "ＡＢＣ　１２３！～", "中国（联通），"
                                  "服务热线１００８６。" * 40, "\uff00\uff5f" * 50, "𠮷ＡＢ" * 30])
def test_half_width_folding_is_translate_whatever_the_length(text):
    assert analysis._half_width(text) == text.translate(analysis._HALF_WIDTH)
