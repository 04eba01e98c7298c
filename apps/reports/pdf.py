"""The only module that imports WeasyPrint. It may read our static files and nothing else:
no network, no file outside `static/`."""

from pathlib import Path

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher

STATIC_ROOTS = [Path(folder).resolve() for folder in settings.STATICFILES_DIRS]


class FetchRefused(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serve file:// URLs inside our static folders; refuse everything else."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0].split("#")[0]).resolve()
            if any(path.is_relative_to(root) for root in STATIC_ROOTS) and path.is_file():
                return super().fetch(path.as_uri(), headers)
        raise FetchRefused(f"The PDF renderer may not fetch {url[:200]}")


def render_pdf(html: str) -> bytes:
    """Render a document whose relative URLs point into `static/` (e.g. fonts/DejaVuSans.ttf)."""
    base_url = STATIC_ROOTS[0].as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher()).write_pdf()
