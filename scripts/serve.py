"""`make serve`: the web process (gunicorn), a Celery worker and the scheduler (beat),
stopped together: a signal to this process, or any of them ending, stops the others.

Usage: serve.py HOST WORKERS (the environment carries the settings, CELERY_BROKER_URL
included).
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent


def main(host: str, workers: str) -> int:
    if not os.environ.get("CELERY_BROKER_URL"):
        print("CELERY_BROKER_URL is not set: tasks run inline in the web process.")
    schedule = Path(tempfile.gettempdir()) / f"skills-beat-{os.getuid()}"
    commands = [
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            host,
            "--workers",
            workers,
            "--access-logfile",
            "-",
        ],
    ]
    if os.environ.get("CELERY_BROKER_URL"):
        concurrency = os.environ.get("CELERY_CONCURRENCY", "2")
        commands += [
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                concurrency,
            ],
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(schedule),
            ],
        ]
    processes = [subprocess.Popen(command) for command in commands]

    def stop(*_args) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with contextlib.suppress(ChildProcessError):
        os.wait()  # the first one to end
    stop()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return max((p.returncode or 0) for p in processes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
