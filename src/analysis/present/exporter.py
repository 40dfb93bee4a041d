"""The nbconvert exporter of the report pages: nbconvert's HTML exporter without its final HTML pass.

:class:`ReportExporter` extends :class:`nbconvert.exporters.HTMLExporter` the way nbconvert
documents for custom exporters (a subclass overriding the public ``from_notebook_node``, its
filters registered with the public ``register_filter``). nbconvert's own ``from_notebook_node``
renders the template, then parses the whole page with BeautifulSoup and writes it out again, only
to

* give every image without alt text the alt "No description has been provided for this image",
  which :func:`analysis.present.page.check_images` refuses as no alt text: an image without alt
  text is refused without it all the same, with the same message;
* add ``tabindex="0"`` to the input and output areas under a ``.jp-Notebook`` element, which the
  report template (``templates/report``) does not have, so the pass never added one (the tables'
  scroll boxes, made by :func:`analysis.present.report.table`, carry their own).

:func:`analysis.present.page.finish_html` parses the page anyway, so that pass was a second parse
and serialisation of every page for nothing the published page shows: it took about half of
nbconvert's time per report (docs/performance.md, "Publishing").

The exporter also remembers the HTML of the Markdown it converts (cells and ``text/markdown``
outputs): a notebook's narrative, its sources and most of what its outputs say are the same for
every authority, and mistune's conversion was about a quarter of a report's publishing time. A
Markdown text that shows an image (or a cell with attachments) is converted every time, since
nbconvert embeds the image from its file (``embed_images``).
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

#: How many Markdown texts an exporter remembers (about the texts of a batch's four notebooks).
MARKDOWN_MEMO_SIZE = 4096


class ReportExporter(HTMLExporter):
    """nbconvert's HTML exporter returning the template's HTML as rendered (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._markdown_memo: dict[tuple[str, str], str] = {}

    @pass_context
    def markdown2html(self, context: Any, source: str) -> str:
        """nbconvert's Markdown filter (:meth:`nbconvert.exporters.HTMLExporter.markdown2html`), memoised.

        The HTML depends only on the text and the folder images are embedded from (the exporter's
        settings do not change), unless the text shows an image: then it is converted again.
        """
        if context.get("cell", {}).get("attachments") or "![" in source or "<img" in source.lower():
            return super().markdown2html(context, source)
        memo = self._markdown_memo
        key = (source, context.get("resources", {}).get("metadata", {}).get("path", ""))
        html = memo.get(key)
        if html is None:
            if len(memo) >= MARKDOWN_MEMO_SIZE:
                memo.clear()
            html = memo[key] = super().markdown2html(context, source)
        return html

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[str, dict]:
        """The page of a notebook the template renders, and nbconvert's resources.

        The filters are those :meth:`nbconvert.exporters.HTMLExporter.from_notebook_node`
        registers: the code highlighter for the notebook's language, and the output-format chooser
        (with no widget state: a published notebook keeps only HTML and Markdown outputs,
        :func:`analysis.present.publish.prepare_notebook`). The rendering is
        :meth:`nbconvert.exporters.TemplateExporter.from_notebook_node`, which HTMLExporter's
        calls before its BeautifulSoup pass.
        """
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        self.register_filter(
            "filter_data_type", WidgetsDataTypeFilter(notebook_metadata={}, resources=resources, parent=self)
        )
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)
