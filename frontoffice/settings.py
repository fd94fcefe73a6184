"""Settings from the environment, with embedded defaults for `make run` and tests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SECRET = "dev-only-not-secret"  # noqa: S105 - refused in production below
INSTANCE_DIR = Path(os.environ.get("FRONTOFFICE_INSTANCE", Path.cwd() / "instance"))


class SettingsError(RuntimeError):
    pass


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    env: str
    secret_key: str
    database_url: str
    broker_url: str
    result_backend: str | None
    partnership_name: str
    session_idle_minutes: int
    lockout_attempts: int
    lockout_minutes: int
    ratelimit_storage_url: str
    secure_cookies: bool
    eager_tasks: bool
    instance_dir: Path
    queue_prefix: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        instance = Path(e.get("FRONTOFFICE_INSTANCE", str(INSTANCE_DIR)))
        mode = e.get("FRONTOFFICE_ENV", "development")
        settings = cls(
            env=mode,
            secret_key=e.get("FRONTOFFICE_SECRET_KEY", DEFAULT_SECRET),
            database_url=e.get(
                "FRONTOFFICE_DATABASE_URL", f"sqlite:///{instance / 'frontoffice.sqlite'}"
            ),
            broker_url=e.get("FRONTOFFICE_BROKER_URL", "filesystem://"),
            result_backend=e.get("FRONTOFFICE_RESULT_BACKEND") or None,
            partnership_name=e.get("FRONTOFFICE_PARTNERSHIP_NAME", "Shire Councils Partnership"),
            session_idle_minutes=int(e.get("FRONTOFFICE_SESSION_IDLE_MINUTES", "30")),
            lockout_attempts=int(e.get("FRONTOFFICE_LOCKOUT_ATTEMPTS", "5")),
            lockout_minutes=int(e.get("FRONTOFFICE_LOCKOUT_MINUTES", "15")),
            ratelimit_storage_url=e.get("FRONTOFFICE_RATELIMIT_STORAGE_URL", "memory://"),
            secure_cookies=_bool(e.get("FRONTOFFICE_SECURE_COOKIES"), mode == "production"),
            eager_tasks=_bool(e.get("FRONTOFFICE_EAGER_TASKS"), False),
            instance_dir=instance,
            queue_prefix=e.get("FRONTOFFICE_QUEUE_PREFIX", ""),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.env == "production":
            if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
                raise SettingsError(
                    "FRONTOFFICE_SECRET_KEY must be set to a random value of 32+ characters "
                    "in production"
                )
            if self.database_url.startswith("sqlite"):
                raise SettingsError("production needs FRONTOFFICE_DATABASE_URL (PostgreSQL)")

    def flask_config(self) -> dict[str, object]:
        from datetime import timedelta

        engine_options: dict[str, object] = {}
        if not self.database_url.startswith("sqlite"):
            engine_options = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
        return {
            "FRONTOFFICE_ENV": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "PARTNERSHIP_NAME": self.partnership_name,
            "INSTANCE_DIR": str(self.instance_dir),
            "PERMANENT_SESSION_LIFETIME": timedelta(minutes=self.session_idle_minutes),
            "SESSION_REFRESH_EACH_REQUEST": True,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "LOCKOUT_ATTEMPTS": self.lockout_attempts,
            "LOCKOUT_MINUTES": self.lockout_minutes,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_HEADERS_ENABLED": True,
            "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
            "WTF_CSRF_TIME_LIMIT": None,
            "CELERY": {
                "broker_url": self.broker_url,
                "result_backend": self.result_backend,
                "task_always_eager": self.eager_tasks,
                "queue_prefix": self.queue_prefix,
                "broker_transport_options": _filesystem_broker_options(
                    self.broker_url, self.instance_dir / "broker"
                ),
            },
        }


def _filesystem_broker_options(broker_url: str, folder: Path) -> dict[str, object]:
    """The filesystem transport lets `make run` have a worker without a broker server."""
    if not broker_url.startswith("filesystem://"):
        return {}
    for sub in ("out", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
