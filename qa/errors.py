"""The one exception family qa raises: every message says what happened and what to do."""

from __future__ import annotations


class QAError(Exception):
    """Base class for every error qa reports to a person or a program."""


class EmptyQuestionError(QAError):
    """The question was empty or only whitespace."""


class DocumentError(QAError):
    """A document could not be read, decoded or indexed."""


class DocumentExistsError(DocumentError):
    """A document of that name is already uploaded: replace it, or add the new one under another name.

    `names` are the names taken; `advice(how)` says it with the way to replace that a caller
    offers (`replace=True`, `--replace`, `replace=true`).

    Example:
        >>> str(DocumentExistsError(["lemon-cake.txt"]))
        'lemon-cake.txt exists; pass replace=True to replace it, or rename the file.'
        >>> DocumentExistsError(["a.txt", "b.md"]).advice("send replace=true")
        'a.txt, b.md exist; send replace=true to replace them, or rename the files.'
    """

    def __init__(self, names: list[str], how: str = "pass replace=True"):
        self.names = tuple(names)
        super().__init__(self.advice(how))

    def advice(self, how: str) -> str:
        """The message, with ``how`` as the way to replace."""
        if len(self.names) == 1:
            return f"{self.names[0]} exists; {how} to replace it, or rename the file."
        return f"{', '.join(self.names)} exist; {how} to replace them, or rename the files."


class IndexingCancelled(QAError):
    """Indexing was cancelled (`Collection.cancel_indexing`, or a ``cancel`` event set):
    nothing of it was kept, the index is as it was.

    Example:
        >>> str(IndexingCancelled())
        'Indexing was cancelled: nothing was added or changed.'
    """

    def __init__(self, message: str = "Indexing was cancelled: nothing was added or changed."):
        super().__init__(message)


class IndexNotFoundError(QAError):
    """A folder holds no qa index."""


class IndexCorruptError(QAError):
    """An index on disk failed its integrity check."""


class ModelError(QAError):
    """The embedding model could not be prepared or loaded."""


class StoreUnavailableError(QAError):
    """The index's database (Milvus, `QA_STORE=milvus`) cannot be reached: trying again later may succeed."""


class StoreRefusedError(QAError):
    """The index's database answered but refused a request (a value too long, a bad schema,
    a permission): trying the same again will not succeed."""
