"""Text utilities shared by the stages: language detection and the reply's words in each
language (`language`), words, stems and stopwords (`lexical`), dates in every CLDR
language (`dates`).
"""
