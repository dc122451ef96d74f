"""Where apps above this one add to a person's result pages and files.

`assessments` imports no app that builds on it (docs/DESIGN.md): an app that shows
something of its own on these pages registers a function in the list for it, from its
AppConfig.ready (plans does, for the development plan). Each list is called in order,
at every request (but see RESULT_PAGE_HTML); an empty list adds nothing.
"""

from collections.abc import Callable
from typing import Any

# (request, result, snapshot, path) -> more context for the path to a role
PATH_CONTEXT: list[Callable[..., dict[str, Any]]] = []
# (user, result id) -> escaped HTML above the result page's kept content, or None:
# nothing for this result, now or ever (once every function says so, the page is kept
# with nothing there and they are no longer called for it)
RESULT_PAGE_HTML: list[Callable[[Any, int], str | None]] = []
# (reader, result) -> more keys for the result JSON (additions to its contract)
RESULT_JSON: list[Callable[[Any, Any], dict[str, Any]]] = []
# (reader, result, workbook) -> adds sheets to the result workbook
RESULT_WORKBOOK: list[Callable[[Any, Any, Any], None]] = []
# (reader, result) -> more context for the PDF report
RESULT_REPORT: list[Callable[[Any, Any], dict[str, Any]]] = []
