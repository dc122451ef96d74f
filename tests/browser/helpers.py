"""What the browser tests share: axe-core, the interface strings of each language, the
run's report (screenshot folder, accessibility figures per page)."""

import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")


@dataclass
class Report:
    screenshots: Path | None = None
    axe_version: str = ""
    axe: dict[str, Counter] = field(default_factory=dict)

    def lines(self) -> list[str]:
        lines = []
        if self.axe:
            lines.append(
                f"Accessibility: axe-core {self.axe_version}, {', '.join(WCAG_TAGS)}; "
                "violated rules by impact (nodes in brackets):"
            )
            width = max(len(name) for name in self.axe)
            for name, counts in self.axe.items():
                figures = "  ".join(
                    f"{impact} {counts[impact]} ({counts[impact + ' nodes']})" for impact in IMPACTS
                )
                lines.append(f"  {name:<{width}}  {figures}")
        if self.screenshots:
            lines.append(f"Screenshots: {self.screenshots}")
        return lines


REPORT = Report()


def run_axe(page, name: str) -> list[dict]:
    """Run the WCAG 2.1 A and AA rules on the page; record the figures; return the
    serious and critical violations. The page's context must bypass the CSP."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                               resultTypes: ["violations"]});
            return {version: axe.version, violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)}))};
        }""",
        WCAG_TAGS,
    )
    REPORT.axe_version = result["version"]
    counts: Counter = Counter({impact: 0 for impact in IMPACTS})
    for violation in result["violations"]:
        counts[violation["impact"]] += 1
        counts[violation["impact"] + " nodes"] += len(violation["nodes"])
    REPORT.axe[name] = counts
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


# Interface strings: the compiled French catalogue gives both languages.

PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]")


def _pattern(text: str) -> re.Pattern | None:
    """A pattern for a translated string as a page shows it: placeholders match any
    text, markup is dropped, spaces (non-breaking ones too) are collapsed."""
    text = normalise(re.sub(r"<[^>]+>", "", text))
    fixed = PLACEHOLDER.sub("", text)
    if len(fixed.strip()) < 12:
        return None
    parts = [re.escape(part) for part in PLACEHOLDER.split(text)]
    return re.compile(r".+?".join(parts))


@cache
def interface_strings() -> dict[str, list[tuple[str, re.Pattern]]]:
    """Per language, the strings that only that language shows: {"fr": [...], "en": [...]}.

    French: the msgstrs of 12 characters or more that differ from their msgid; English:
    those msgids. Context prefixes are removed; plural forms count too.
    """
    path = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    with open(path, "rb") as mo_file:
        catalogue = gettext.GNUTranslations(mo_file)._catalog  # type: ignore[attr-defined]
    strings: dict[str, list[tuple[str, re.Pattern]]] = {"fr": [], "en": []}
    for key, msgstr in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04")[-1]
        if not msgid or normalise(msgid) == normalise(msgstr):
            continue
        for language, text in (("en", msgid), ("fr", msgstr)):
            pattern = _pattern(text)
            if pattern is not None:
                strings[language].append((text, pattern))
    return strings


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


# What a person reads or hears: the visible text, the title, and the labels, titles,
# placeholders and confirmations of elements in the page's language (the language
# switcher's buttons are, on purpose, in their own language).
PAGE_TEXT_JS = """() => {
    const lang = document.documentElement.lang;
    const parts = [document.title, document.body.innerText];
    const attributes = ["aria-label", "title", "placeholder", "data-confirm", "data-offline"];
    for (const el of document.querySelectorAll("[" + attributes.join("],[") + "]")) {
        const own = el.closest("[lang]");
        if (own && own.lang !== lang) continue;
        for (const name of attributes) {
            if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
        }
    }
    return parts.join("\\n");
}"""


def leftovers(page, language: str) -> list[str]:
    """Interface strings of the other language found on the page."""
    other = "fr" if language == "en" else "en"
    text = normalise(page.evaluate(PAGE_TEXT_JS))
    return [source for source, pattern in interface_strings()[other] if pattern.search(text)]


def wait_until_saved(page) -> None:
    """Every htmx request of the page has answered."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def sign_up(page, username: str, password: str = "Trombone-vert-2026") -> None:
    """Fill in and send the sign-up form the page shows, then log in from the "check
    your mailbox" page that follows (an unconfirmed account may assess itself)."""
    from playwright.sync_api import expect

    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.com")
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    page.locator("[name=signup]").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/done/"))
    page.locator("main a[href^='/accounts/login/']").click()
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()


def confirmation_link(address: str) -> str:
    """The link of the last confirmation message sent to `address` (the live server
    runs in the test's process: Django's test mailbox holds what it sent)."""
    from django.core import mail

    bodies = [m.body for m in mail.outbox if address in m.to]
    assert bodies, f"no message to {address}"
    return re.search(r"https?://\S+/accounts/email/confirm/\S+", bodies[-1]).group(0)


def answer_step(page, levels, answered: dict | None = None, *, start=0, limit=None) -> int:
    """Click a level (the next of `levels`, modulo 5) for the step's questions from
    `start` (up to `limit` of them), waiting for each autosave's tick; record skill code ->
    level in `answered`. Returns the number of questions on the step."""
    from playwright.sync_api import expect

    questions = page.locator("fieldset.question")
    total = questions.count()
    assert total > 0, "no question on the page"
    for index in range(start, total if limit is None else start + limit):
        question = questions.nth(index)
        level = next(levels) % 5
        question.locator(".level-option label").nth(level).click()
        expect(question.locator(".save-status")).to_contain_text("✓")
        if answered is not None:
            answered[question.get_attribute("id").removeprefix("skill-")] = level
    return total
