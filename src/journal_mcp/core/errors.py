"""The journal's exceptions: one small hierarchy, turned into MCP tool errors or CLI messages at the edges."""


class JournalError(Exception):
    """Base class for every error the journal reports to a user."""


class InvalidInputError(JournalError):
    """An argument the caller can fix (the message says how)."""


class EntryNotFoundError(JournalError):
    """No entry has the id the caller gave."""


class StorageError(JournalError):
    """The journal database could not be opened, read or written."""


class ModelUnavailableError(JournalError):
    """The embedding model could not be found or loaded."""


class UnsafePathError(StorageError):
    """A journal path is a symlink, belongs to another user, or could be replaced by one."""


class ForeignDatabaseError(StorageError):
    """A file where a journal should be is not a journal-mcp database."""


class CorruptJournalError(StorageError):
    """The journal database is damaged; reads may work, writes are refused."""
