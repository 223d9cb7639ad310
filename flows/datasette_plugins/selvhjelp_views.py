"""Datasette plugin of `selvhjelp-data browse`: a change's diff shown as a diff, and the index page
opening on the newest changes (what a monitor comes to see)."""

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

CHANGES = "/selvhjelp/changes?_sort_desc=detected_at"


@hookimpl
def render_cell(value, column, table):
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
