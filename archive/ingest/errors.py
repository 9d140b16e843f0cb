"""The one exception that every notice parser raises."""


class ParseError(ValueError):
    """A notice cannot be read; says which file, where and what is wrong."""

    def __init__(self, message, *, filename=None, line=None, field=None):
        self.message = message
        self.filename = filename
        self.line = line
        self.field = field
        self.missing = []  # notice metadata keys the file lacks (see metadata.complete)
        super().__init__(str(self))

    def with_filename(self, filename):
        """Return the same error, naming the file it came from."""
        error = ParseError(self.message, filename=filename, line=self.line, field=self.field)
        error.missing = self.missing
        return error

    def __str__(self):
        if self.filename is None and self.line is None and self.field is None:
            return self.message
        where = [self.filename or "<input>"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{': '.join(where)}: {self.message}"
