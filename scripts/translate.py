"""Re-extract the messages and fill in French translations from a JSON file.

    .venv/bin/python scripts/translate.py translations.json

The JSON maps each English msgid to its French text ({"Simulate": "Simuler"}).
Runs makemessages, writes the French texts into locale/fr, then compilemessages.
Holds a lock so that two people (or agents) running it at once do not clash.
"""

import fcntl
import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
IGNORES = [
    "--ignore=.venv",
    "--ignore=static",
    "--ignore=tests",
    "--ignore=bench",
]


def main(paths: list[str]) -> None:
    wanted: dict[str, str] = {}
    for path in paths:
        wanted.update(json.loads(Path(path).read_text(encoding="utf-8")))
    with open("/tmp/skills-locale.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manage = [PYTHON, "manage.py"]
        subprocess.run(
            [*manage, "makemessages", "-l", "fr", "-l", "en", *IGNORES], cwd=ROOT, check=True
        )
        for domain in ("django.po", "djangojs.po"):
            po_path = ROOT / "locale" / "fr" / "LC_MESSAGES" / domain
            if not po_path.exists():
                continue
            po = polib.pofile(str(po_path))
            for entry in po:
                if entry.msgid in wanted:
                    text = wanted[entry.msgid]
                    if entry.msgid_plural and isinstance(text, list):
                        entry.msgstr_plural = dict(enumerate(text))
                    elif not entry.msgid_plural:
                        entry.msgstr = text
                    if "fuzzy" in entry.flags:
                        entry.flags.remove("fuzzy")
            po.save()
            missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
            if missing:
                print(f"{domain}: {len(missing)} without a French text:")
                for msgid in missing:
                    print("  ", repr(msgid))
        subprocess.run([*manage, "compilemessages", "--ignore=.venv"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
