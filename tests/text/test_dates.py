"""Dates read from CLDR's names and patterns, in every script they are written in."""

from qa.text.dates import date_spans, is_month, month_words, relative_day_words, weekday_words


def spans(text, **options):
    return [text[start:end] for start, end in date_spans(text, **options)]


def test_month_names_come_from_cldr_in_every_case_and_script():
    assert month_words()["июня"] == month_words()["июнь"] == month_words()["czerwca"] == month_words()["juni"] == 6
    assert month_words()["juny"] == 6  # Catalan "de juny": the article is not the name
    assert weekday_words()["вторник"] == weekday_words()["tisdag"] == weekday_words()["mardi"] == 1


def test_a_function_word_is_no_month_or_relative_day():
    assert (is_month("des"), is_month("sept"), is_month("janv")) == (False, False, True)
    assert "ma" not in relative_day_words()  # Hungarian "today" is French "my"
    assert relative_day_words()["вчера"] == -1 and relative_day_words()["aujourd'hui"] == 0


def test_dates_are_read_in_the_order_each_language_writes_them():
    assert spans("Le sommet des 18 et 19 juin 2024 suit celui de 1961.") == ["18 et 19 juin 2024", "1961"]
    assert spans("It took place on June 18-19, 2024, in Pyongyang.") == ["June 18-19, 2024"]
    assert spans("El 18 de junio de 2024 llegó.") == ["18 de junio de 2024"]
    assert spans("Am 18. Juni 2024 kam er.") == ["18. Juni 2024"]
    assert spans("Signé le 1er juillet 2024.") == ["1er juillet 2024"]


def test_dates_in_russian_polish_and_swedish_come_from_cldr_months():
    assert spans("Путин прибыл 18 июня 2024 года в Пхеньян.") == ["18 июня 2024"]
    assert spans("Wizyta odbyła się 18 czerwca 2024 r.") == ["18 czerwca 2024"]
    assert spans("Besöket ägde rum den 18 juni.") == ["18 juni"]


def test_dates_in_chinese_japanese_and_korean_follow_cldr_patterns():
    assert spans("プーチン大統領は2024年6月18日に訪問した。") == ["2024年6月18日"]
    assert spans("会议于6月18日举行") == ["6月18日"]
    assert spans("2024년 6월 18일 방문했다") == ["2024년 6월 18일"]


def test_offsets_are_exact_in_the_original_text():
    text = "L’accord, conclu mardi 18 juin, vaut jusqu’en 2030."
    assert date_spans(text) == [(17, 30), (46, 50)]
    assert text[17:30] == "mardi 18 juin"


def test_numbers_and_common_words_are_no_dates():
    assert spans("Les 20 000 soldats, 3.5 millions, des 18 soldats.") == []
    assert spans("Il a 7 sept ans. They may come.") == []
    assert spans("Numeric: 18/06/2024 and 2024-06-18, 1914-1918.") == ["18/06/2024", "2024-06-18", "1914-1918"]


def test_relative_days_are_dates_unless_left_out():
    assert spans("Он приедет завтра.") == ["завтра"]
    assert spans("Il arrive aujourd’hui.", relative=False) == []
