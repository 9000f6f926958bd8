"""The scratch copy README checks run in, and the process-group helpers they share
(scripts/check_readme.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Scratch:
    root: Path
    log: list[str] = field(default_factory=list)
    # servers a block leaves running for the next block (name -> (process, its output file))
    background: dict = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("QUOTEWIRE_", "AIRFLOW", "VIRTUAL_ENV", "PYTHON"))}
        return {**keep, "PYTHONPATH": str(self.root)}

    def sh(self, script: str, timeout: float = 900, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run a script with bash in its own process group; the group is killed when it ends."""
        self.log.append(f"$ {script}")
        # Output goes to a file, not a pipe: servers a block leaves in the background keep a pipe
        # open, and the block is over when bash exits.
        with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output, \
                tempfile.TemporaryFile("w+", encoding="utf-8") as given:
            given.write(stdin or "")
            given.seek(0)
            process = subprocess.Popen(["bash", "-c", script], cwd=self.root, env=self.env(), text=True,
                                       stdin=given, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                returncode = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                returncode = 124
            finally:
                stop_group(process.pid, grace=120, leader=process)
            output.seek(0)
            out = output.read() + (f"\n[check_readme: stopped after {timeout:.0f} s]" if returncode == 124 else "")
        self.log.append(out[-3000:])
        return subprocess.CompletedProcess(script, returncode, out, "")

    def must(self, script: str, timeout: float = 900, stdin: str | None = None, expect: str | None = None,
             errors_fail: bool = True) -> str:
        """Run a script; it fails on a non-zero exit, an `Error:` in its output (unless servers'
        logs are part of it: errors_fail=False), or output lacking `expect`."""
        done = self.sh(script, timeout, stdin)
        problems = [f"exited {done.returncode}"] if done.returncode != 0 else []
        if errors_fail and "Error:" in done.stdout:
            problems.append("its output says Error:")
        if expect is not None and expect not in done.stdout:
            problems.append(f"its output lacks {expect!r}")
        if problems:
            raise CheckFailed(f"{script!r}: {', '.join(problems)}:\n{done.stdout[-3000:]}")
        return done.stdout


class CheckFailed(RuntimeError):
    pass


def stop_group(pgid: int, grace: float = 20, leader: subprocess.Popen | None = None) -> None:
    """TERM a process group, then KILL what is left of it after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if leader is not None:
                leader.poll()  # reap the leader, or its zombie keeps the group alive
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.5)


def scratch_copy(dest: Path) -> Scratch:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    for folder in (dest, dest.parent):  # the metadata database runs as `postgres` when root runs this
        folder.chmod(0o755)
    return Scratch(dest)


def substitute(block: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in block, old
        block = block.replace(old, new)
    return block


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def busy_ports(ports: tuple[int, ...], wait: float = 60) -> list[int]:
    """The ports still taken after up to `wait` seconds (servers of an earlier block stopping)."""
    deadline = time.monotonic() + wait
    while True:
        busy = [p for p in ports if not port_free(p)]
        if not busy or time.monotonic() >= deadline:
            return busy
        time.sleep(2)
