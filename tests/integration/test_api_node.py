"""node-routeros 1.6.9 (npm; tests/integration/node, installed by scripts/install-deps.sh) against certos's API
protocol: list, add, sign and a trap with `api-empty-reply` off (the default); with it on, the `!empty` reply of
RouterOS 7.18+ makes node-routeros 1.6.9 fail with UNKNOWNREPLY, which is why the setting exists."""

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ADMIN_PASSWORD

NODE_DIR = Path(__file__).parent / "node"

# A missing dependency is a failure, not a skip: scripts/install-deps.sh runs npm install here.
assert shutil.which("node") is not None and (NODE_DIR / "node_modules" / "node-routeros").is_dir(), \
    "node or node-routeros missing (scripts/install-deps.sh runs npm install in tests/integration/node)"


def flow(port, mode=""):
    proc = subprocess.run(["node", "routeros_flow.js", str(port), ADMIN_PASSWORD] + ([mode] if mode else []),
                          cwd=NODE_DIR, capture_output=True, text=True, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 and not lines:
        return proc.returncode, {"error": proc.stderr}  # an exception node-routeros throws from its socket handler
    assert lines, f"node printed nothing: {proc.stdout}{proc.stderr}"
    return proc.returncode, json.loads(lines[-1])


def test_node_routeros_list_add_sign(certos_daemon):
    code, out = flow(certos_daemon.api_port)
    assert code == 0, out
    assert out["before"] == []
    assert out["added"].startswith("*")
    assert out["signed"] == [{"progress": "done"}]  # sign's final status, one !re
    assert out["after"] == [{"name": "node-ca", "id": out["added"], "authority": "true", "key": "true"}]
    assert out["trap"] == "no such item"
    # With !empty off, a print that finds nothing is a plain !done.
    code, out = flow(certos_daemon.api_port, "print-empty")
    assert code == 0 and out == {"empty": []}


def test_node_routeros_fails_on_empty_when_it_is_enabled(certos_daemon):
    d = certos_daemon
    d.console("/ip service set api api-empty-reply=yes")
    time.sleep(2.5)  # the daemon applies /ip service changes on its next poll
    code, out = flow(d.api_port, "print-empty")
    assert code != 0
    assert "UNKNOWNREPLY" in out["error"] or "!empty" in out["error"], out
