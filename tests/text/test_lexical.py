"""Words in every script: what BM25 and the question's content words are made of."""

import numpy as np

from qa.text.lexical import LexicalIndex, key_words, terms, words


def test_scripts_without_spaces_are_cut_into_words():
    # A run of Chinese, Japanese or Thai letters is a whole clause, not a word.
    assert len(words("普京什么时候访问朝鲜")) >= 4
    assert {"访问", "朝鲜"} <= set(words("普京什么时候访问朝鲜？"))
    assert {"大統領", "訪問"} <= set(words("プーチン大統領はいつ北朝鮮を訪問しますか？"))
    assert len(words("ปูตินจะไปเยือนเกาหลีเหนือ")) >= 4
    # Spaced scripts keep their words, Latin ones unchanged.
    assert words("Quand le traité a-t-il été signé en 1961 ?") == ["Quand", "le", "traité", "a", "t", "il", "été", "signé", "en", "1961"]


def test_vowel_signs_stay_in_their_word():
    # Hindi's vowel signs are combining marks: not \w to Python's re.
    assert words("पुतिन उत्तर कोरिया कब जाएंगे?") == ["पुतिन", "उत्तर", "कोरिया", "कब", "जाएंगे"]


def test_question_words_of_unspaced_scripts_are_function_words():
    assert key_words("普京什么时候访问朝鲜？") == ["访问", "朝鲜"]
    assert "いつ" not in key_words("プーチン大統領はいつ北朝鮮を訪問しますか？")


def test_bm25_finds_a_chinese_passage_by_its_words():
    passages = [
        "普京将于6月18日至19日对朝鲜进行国事访问，这是他24年来首次访问朝鲜。",
        "朝鲜和前苏联于1961年签署了友好互助条约。",
        "Poutine effectuera une visite d'État en Corée du Nord les 18 et 19 juin.",
    ]
    index = LexicalIndex(passages)
    assert int(np.argmax(index.scores("友好互助条约是哪一年签署的？"))) == 1
    assert int(np.argmax(index.scores("普京什么时候访问朝鲜？"))) == 0
    assert "条约" in terms(passages[1])
