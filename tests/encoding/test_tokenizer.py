"""The SentencePiece tokenizer gives the ids of the prepared folder's tokenizer.json."""

import json
from pathlib import Path

import pytest

from qa.errors import ModelError
from qa.encoding.tokenizer import CHARSMAP_FILE, SENTENCEPIECE_FILE, E5Tokenizer

ROOT = Path(__file__).resolve().parents[2]
EDGES = [
    "",
    "   ",
    " leading space",
    "trailing space ",
    "  two  spaces\tand a tab\nand a newline\n\n  then spaces",
    "\u00a0no-break\u00a0spaces\u3000and an ideographic one",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ, ﬁ ligature, ① ２, zero\u200bwidth",
    "a ´ spacing accent, ¨ and ¸",
    "▁ the marker itself▁inside",
    "emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "long " * 700,
]


@pytest.fixture(scope="module")
def both(embedder):
    """The question path's tokenizer and the prepared folder's tokenizer.json."""
    return E5Tokenizer(embedder.model.path, max_length=512), embedder.model.offsets_tokenizer


def _texts() -> list[str]:
    article = (ROOT / "seeds" / "poutine-coree-du-nord.txt").read_text(encoding="utf-8")
    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "multilingual_qa.jsonl").open(encoding="utf-8")]
    return [*article.split("\n"), article, *questions, *EDGES]


def test_ids_are_tokenizer_json_ids(both):
    ours, theirs = both
    texts = _texts()
    for prompt in ("", "query: ", "passage: "):
        expected = [encoding.ids for encoding in theirs.encode_batch([prompt + t for t in texts])]
        assert ours.encode_batch([prompt + t for t in texts]) == expected


def test_long_texts_are_cut_to_the_model_length(both):
    ours, _ = both
    (ids,) = ours.encode_batch(["mot " * 2000])
    assert len(ids) == 512
    assert (ids[0], ids[-1]) == (0, 2)


def test_a_missing_vocabulary_says_how_to_mend_it(embedder, tmp_path):
    folder = embedder.model.path
    (tmp_path / CHARSMAP_FILE).write_bytes((folder / CHARSMAP_FILE).read_bytes())
    tokenizer = E5Tokenizer(tmp_path, max_length=512)
    with pytest.raises(ModelError, match="qa model prepare --force") as error:
        tokenizer.encode_batch(["x"])
    assert SENTENCEPIECE_FILE in str(error.value)
    with pytest.raises(ModelError, match="qa model prepare --force"):
        E5Tokenizer(tmp_path / "elsewhere", max_length=512)


def test_a_folder_prepared_before_the_sentencepiece_copy_is_prepared_again(embedder, tmp_path):
    from qa.encoding.model_prep import is_prepared

    folder = embedder.model.path
    assert is_prepared(folder)
    (tmp_path / "qa-prepared.json").write_bytes((folder / "qa-prepared.json").read_bytes())
    assert not is_prepared(tmp_path)
