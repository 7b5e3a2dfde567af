"""A build killed with SIGKILL halfway leaves the previous version live and loadable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from api.cli import cli
from index.store import VersionStore
from tests.conftest import kb_env


def test_sigkill_mid_build_keeps_previous_version(work_settings):
    env = {**os.environ, **kb_env(work_settings, HF_HUB_OFFLINE="1")}
    first = CliRunner().invoke(cli, ["ingest", "--json"], env=env)
    assert first.exit_code == 0, first.output
    live_before = json.loads(first.stdout)["version"]
    store = VersionStore(work_settings.data_dir)

    # A full rebuild in another process; kill it as soon as its staging directory appears,
    # i.e. while the new version is being written.
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "ingest", "--rebuild", "--json"],
                            env=env, cwd=Path(__file__).parent.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    staged = False
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if list(store.versions_dir.glob(".building-*")):
                staged = True
                break
            time.sleep(0.005)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert staged, "the build finished before it could be killed; the test must catch it mid-write"

    assert store.live_id() == live_before
    ask = CliRunner().invoke(cli, ["ask", "hvad er negativ social kontrol", "--json"], env=env)
    assert ask.exit_code == 0 and json.loads(ask.stdout)["passages"]

    again = CliRunner().invoke(cli, ["ingest", "--rebuild", "--json"], env=env)
    assert again.exit_code == 0, again.output
    assert store.live_id() != live_before
    assert not list(store.versions_dir.glob(".building-*"))
