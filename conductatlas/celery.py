import os
import uuid

from celery import Celery
from celery.signals import celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conductatlas.settings.local")

app = Celery("conductatlas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def name_this_worker_run(sender, **kwargs):
    """Gives this start of the worker a name of its own, "<node name>#<random>", which its pool
    processes inherit: a fetch records it, so that the worker started again after a crash
    knows which unfinished fetches were its dead predecessor's (apps.documents)."""
    os.environ["CONDUCTATLAS_WORKER_RUN"] = f"{sender}#{uuid.uuid4().hex[:12]}"
