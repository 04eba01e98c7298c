class RefusedError(Exception):
    """A request refused for a reason the person must read; `status` is the HTTP status to send."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
