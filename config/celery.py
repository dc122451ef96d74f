"""The Celery application: tasks on a real broker when CELERY_BROKER_URL is set, run
inline (eagerly) otherwise, so that `make run` needs no extra service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("skills")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
