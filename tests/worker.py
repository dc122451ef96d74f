"""A real Celery worker for a test: in this process (a thread), on Redis database 12,
flushed before and after; the app back to running tasks inline afterwards."""

import contextlib
import importlib

REDIS_TEST_URL = "redis://127.0.0.1:6379/12"


def redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def worker_on_redis(settings):
    import redis
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    def reset(**conf) -> None:
        app.conf.update(**conf)
        app.close()  # connections made for another broker earlier in the session
        app.amqp._producer_pool = None

    for name in ("careers.tasks", "notifications.tasks", "teams.tasks"):
        importlib.import_module(name)  # registered before the worker reads the registry
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    reset(broker_url=REDIS_TEST_URL, task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        reset(task_always_eager=True)
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
