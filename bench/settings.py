"""The production settings, as the benchmark serves them.

Only two things differ from `config.settings`, both for measuring and neither reachable
in production (this module is only ever named by `python -m bench`): the URLs add a bare
"hello" view (`bench.urls`), and static files are collected into the bench's own
temporary folder. Rate limits are raised through the environment, as an operator would.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
