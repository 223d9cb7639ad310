"""Datasette plugin of `selvhjelp-data browse`: a change's diff shown as a diff (the word-level one with its
<del>/<ins>, made and escaped by the transform), kinds in Norwegian beside their names, and the index page
opening on the newest changes (what a monitor comes to see)."""

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from selvhjelp_data.schema import KIND_LABELS

CHANGES = "/selvhjelp/changes?_sort_desc=detected_at"


DIFF_STYLE = "del{background:#fde2e1}ins{background:#ddf4e4;text-decoration:none}"


@hookimpl
def render_cell(value, column, table):
    if table in ("changes", "events") and column == "word_diff_html" and value:
        return Markup(f'<style>{DIFF_STYLE}</style><div style="min-width:26em">{value}</div>')  # escaped in transform
    if table in ("changes", "events") and column == "kind" and value in KIND_LABELS:
        return Markup(f"{escape(KIND_LABELS[value][0])} <small>({escape(value)})</small>")
    if table == "changes" and column == "diff" and value:
        lines = []
        for line in str(value).split("\n"):
            colour = "#0a0" if line.startswith("+") else "#c00" if line.startswith("-") else "inherit"
            lines.append(f'<span style="color:{colour}">{escape(line)}</span>')
        return Markup('<pre class="diff" style="white-space:pre-wrap;margin:0">' + "\n".join(lines) + "</pre>")
    return None


async def newest_changes(request):
    return Response.redirect(CHANGES)


@hookimpl
def register_routes():
    return [(r"^/$", newest_changes)]


# The table views open on the rows: the column descriptions (every column has one) fold into one line
FOLD_COLUMN_DESCRIPTIONS = """
const list = document.querySelector("dl.column-descriptions");
if (list) {
  const fold = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "What each column holds";
  list.replaceWith(fold);
  fold.append(summary, list);
}
"""


@hookimpl
def extra_body_script():
    return FOLD_COLUMN_DESCRIPTIONS
