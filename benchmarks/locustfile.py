"""The request mix of benchmarks/load.py: provision, platform and search pages, as visitors and
as signed-in members of each plan. Reads the URLs and the members' session cookies from the
JSON file named by LOAD_PLAN (written by load.py)."""

import json
import os
import random

from locust import FastHttpUser, constant, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115, PTH123


class Reader(FastHttpUser):
    """Browses without pause, as fast as the site answers (a closed loop)."""

    abstract = True
    wait_time = constant(0)
    cookie: dict = {}

    def _get(self, kind: str) -> None:
        url = random.choice(PLAN["urls"][kind])
        self.client.get(url, name=f"{kind} ({self.tier})", headers=self.headers)

    @task(5)
    def provision(self):
        self._get("provision")

    @task(3)
    def platform(self):
        self._get("platform")

    @task(2)
    def search(self):
        self._get("search")


class Visitor(Reader):
    weight = 2
    tier = "visitor"
    headers = {}


class Member(Reader):
    weight = 3

    def on_start(self):
        self.tier, session = random.choice(sorted(PLAN["sessions"].items()))
        self.headers = {"Cookie": f"sessionid={session}"}
