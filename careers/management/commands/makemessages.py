"""Django's makemessages, which also reads the Jinja2 templates (`.jinja`, config/jinja2.py).

Django hands each template to xgettext as Python made by its own template lexer, which
cannot read Jinja2. A `.jinja` file is handed over as Python too, made by Jinja2's own
extractor instead: one gettext call per message, on the message's line, so that the
catalogue's references point into the template. `.jinja` joins the extensions read.
"""

from django.core.management.commands import makemessages
from django.template import engines

JINJA = ".jinja"


def jinja_as_python(source: str) -> str:
    """The template's messages as gettext calls, each on its line in the template."""
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    lines = [""] * (source.count("\n") + 1)
    for lineno, function, message in env.extract_translations(source):
        strings = message if isinstance(message, tuple) else (message,)
        arguments = ", ".join(repr(text) for text in strings if isinstance(text, str))
        lines[lineno - 1] += f"{function}({arguments}) "
    return "\n".join(lines)


class BuildFile(makemessages.BuildFile):
    def preprocess(self):
        if self.domain != "django" or not self.path.endswith(JINJA):
            return super().preprocess()
        with open(self.path, encoding="utf-8") as template:
            source = template.read()
        with open(self.work_path, "w", encoding="utf-8") as work:
            work.write(jinja_as_python(source))


class Command(makemessages.Command):
    build_file_class = BuildFile

    def handle(self, *args, **options):
        if options["domain"] == "django":
            options["extensions"] = [*(options["extensions"] or ["html", "txt", "py"]), "jinja"]
        super().handle(*args, **options)
