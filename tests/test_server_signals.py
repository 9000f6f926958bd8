"""The local server scripts (`make airflow-ui`, `make distributed-up`) stop what they started on
Ctrl-C or TERM at any moment, also when started as a background job, whose SIGINT the shell
hands down ignored."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import pytest
from conftest import ROOT

# A stand-in for a script's main(): "servers" start, a signal arrives, `finally` must run.
SCRIPT = f"""
import signal, sys, time
sys.path.insert(0, {str(ROOT / "scripts")!r})
import airflow_local
signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a background job of a non-interactive shell
airflow_local.stop_on_signals()
try:
    print("starting", flush=True)
    time.sleep(600)
    print("never interrupted", flush=True)
except KeyboardInterrupt:
    pass
finally:
    airflow_local.ignore_signals()
    print("stopping", flush=True)
    time.sleep(1)  # a second signal here must not cut the teardown short
    print("stopped", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_starting_reaches_the_teardown(signum):
    process = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, process.kill)  # a signal that is not acted on must not hang the suite
    watchdog.start()
    try:
        assert process.stdout.readline().strip() == "starting"
        process.send_signal(signum)
        assert process.stdout.readline().strip() == "stopping"
        process.send_signal(signum)  # a second Ctrl-C during the teardown
        out, _ = process.communicate(timeout=30)
    finally:
        watchdog.cancel()
        process.kill()
    assert out.strip() == "stopped"
    assert process.returncode == 0
