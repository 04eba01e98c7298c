"""Reading what the app sends as a download."""

import csv
import io


def read_csv(response, *, as_dicts: bool = False) -> list[list[str]] | list[dict[str, str]]:
    """The rows of a CSV download (a streaming response, with a byte order mark); with
    `as_dicts`, the rows after the header as {column: cell}."""
    text = io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))
    return list(csv.DictReader(text) if as_dicts else csv.reader(text))
