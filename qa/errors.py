"""The one exception family qa raises: every message says what happened and what to do."""

from __future__ import annotations


class QAError(Exception):
    """Base class for every error qa reports to a person or a program."""


class EmptyQuestionError(QAError):
    """The question was empty or only whitespace."""


class DocumentError(QAError):
    """A document could not be read, decoded or indexed."""


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
