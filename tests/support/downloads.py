"""Reading what the app sends as a download."""

import csv
import io


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV download (a streaming response, with a byte order mark)."""
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))
