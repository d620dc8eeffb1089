from qa.reading.chunking import chunk_document, split_sentences
from tests.conftest import SEED


def test_sentence_split_survives_closing_quote_glued_to_next_sentence():
    text = "Il l’a dit à l’agence de presse.”Les 18 et 19 juin, il ira à Pyongyang."
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == ["Il l’a dit à l’agence de presse.”", "Les 18 et 19 juin, il ira à Pyongyang."]


def test_sentence_split_keeps_initials_and_decimals():
    text = "M. Poutine et J. Smith ont parlé de 3.5 milliards. Puis ils sont partis."
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == ["M. Poutine et J. Smith ont parlé de 3.5 milliards.", "Puis ils sont partis."]


def test_chunks_are_exact_slices_within_size():
    text = SEED.read_text(encoding="utf-8")
    chunks = chunk_document(text, chunk_size=600, chunk_overlap=120)
    assert len(chunks) > 5
    assert all(0 < c.end - c.start <= 600 for c in chunks)
    assert all(text[c.start : c.end].strip() == text[c.start : c.end] for c in chunks)
    # every sentence lies inside some chunk
    for s in split_sentences(text):
        if s.end - s.start <= 600:
            assert any(c.start <= s.start and s.end <= c.end for c in chunks), text[s.start : s.end]
