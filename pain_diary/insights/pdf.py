"""The clinician summary page as PDF: A4 pages by WeasyPrint, fetching nothing from the network."""

import os
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from flask import current_app


class StaticFilesOnly(weasyprint.URLFetcher):
    """Let WeasyPrint read files under ``root`` and data: URLs, and nothing from the network."""

    def __init__(self, root):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = os.path.realpath(root)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = os.path.realpath(url2pathname(parts.path))
            if parts.netloc not in ("", "localhost") or (
                os.path.commonpath([path, self.root]) != self.root
            ):
                raise ValueError(f"refused to fetch {url}: not under {self.root}")
        elif parts.scheme != "data":
            raise ValueError(f"refused to fetch {url}: a summary uses no network resource")
        return super().fetch(url, headers)


def layout(html):
    """Lay the summary HTML out on A4 pages (a weasyprint Document: ``pages``, ``write_pdf``)."""
    # Print charts come as PNG (render_chart(png=True)): WeasyPrint's cascade would walk every
    # element of an inline two-year SVG, and a raster image draws far quicker.
    static = current_app.static_folder
    document = weasyprint.HTML(
        string=html, base_url=static + os.sep, url_fetcher=StaticFilesOnly(static)
    )
    return document.render()


def html_to_pdf(html):
    """Render the summary HTML as PDF bytes."""
    return layout(html).write_pdf()
