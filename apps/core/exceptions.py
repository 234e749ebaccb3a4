class ApplicationError(Exception):
    """A domain rule was broken by the caller's input. Views and the API render `message` to the
    user with a 4xx status; `extra` carries structured detail for the API."""

    def __init__(self, message: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
