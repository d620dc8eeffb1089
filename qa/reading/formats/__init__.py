"""One reader per file format: ``read(data, path) -> str``, the text every offset indexes into.

`qa.reading.documents.READERS` maps each file suffix to its reader. A reader raises
`qa.errors.DocumentError` naming the file when it cannot read it; sections a citation
can be located by (PDF pages, ...) are separated by `qa.reading.formats.layout.PAGE_BREAK`.
"""
