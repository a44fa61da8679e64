"""Exception types. A :class:`SynthdocError` is a user mistake: its message is one line naming the
problem and the fix, and the CLI prints it without a traceback (exit code 2)."""


class SynthdocError(Exception):
    """A user-facing error: bad config, unknown language, missing font, unreadable corpus, unwritable output."""


class SampleError(Exception):
    """A sample could not be made with this sub-seed (text does not fit, font lacks a glyph); retried."""


class SynthdocWarning(UserWarning):
    """Something works but is probably not what the user wants (e.g. more workers than CPUs); the CLI prints it
    as one line ``synthdoc: warning: ...``."""
