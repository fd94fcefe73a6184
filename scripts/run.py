"""`make run`: prepare the embedded SQLite database and run web, worker and beat together.

Ctrl-C stops everything this started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INSTANCE = Path(os.environ.setdefault("FRONTOFFICE_INSTANCE", str(ROOT / "instance")))
PORT = os.environ.get("PORT", "5000")


def flask(*args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "frontoffice", *args], check=True, cwd=ROOT)


def prepare_database() -> None:
    INSTANCE.mkdir(parents=True, exist_ok=True)
    uses_default_db = "FRONTOFFICE_DATABASE_URL" not in os.environ
    is_new = uses_default_db and not (INSTANCE / "frontoffice.sqlite").exists()
    flask("db", "upgrade")
    if is_new:
        print("New database: building demo data...", flush=True)
        flask("demo", "--if-empty")


def main() -> int:
    prepare_database()
    commands = {
        "web": [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "frontoffice:create_app()",
        ],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "frontoffice.worker_app",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
        ],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "frontoffice.worker_app",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(INSTANCE / "celerybeat-schedule"),
        ],
    }
    children = {
        name: subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)  # noqa: S603
        for name, cmd in commands.items()
    }
    print(
        f"\nfrontoffice is running on http://127.0.0.1:{PORT}/ (web, worker and beat)\n"
        "Demo sign-ins (password for all: demo-password-2026):\n"
        "  adviser@demo.frontoffice.test        adviser\n"
        "  supervisor@demo.frontoffice.test     supervisor\n"
        "  partner@demo.frontoffice.test        partner user (Northvale District Council)\n"
        "  admin@demo.frontoffice.test          administrator\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} stopped (exit {child.returncode}); stopping the rest", flush=True)
                exit_code = child.returncode or 1
                stopping = True
        time.sleep(0.5)
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
    print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
