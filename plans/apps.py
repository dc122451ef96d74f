from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Development plans")

    def ready(self) -> None:
        from assessments import extensions

        from . import exports

        extensions.PATH_CONTEXT.append(exports.path_context)
        extensions.RESULT_PAGE_HTML.append(exports.result_page_html)
        extensions.RESULT_JSON.append(exports.result_json)
        extensions.RESULT_REPORT.append(exports.result_report)
        extensions.RESULT_WORKBOOK.append(exports.result_workbook)
