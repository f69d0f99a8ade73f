"""Helpers to run the certos console binary (`certos --data DIR -c CMD`) from tests."""

import os
import subprocess

CERTOS = os.environ.get("CERTOS_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "certos"))


def run(data, command, check=True, env=None):
    """Runs one console line; returns (returncode, stdout, stderr)."""
    full_env = dict(os.environ, COLUMNS="160", TZ="UTC", CERTOS_ADMIN_PASSWORD="admin-test-pw")
    if env:
        full_env.update(env)
    proc = subprocess.run([CERTOS, "--data", str(data), "-c", command], capture_output=True, text=True,
                          env=full_env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"certos -c {command!r} failed ({proc.returncode}): {proc.stderr}{proc.stdout}")
    return proc.returncode, proc.stdout, proc.stderr


def out(data, command):
    """Runs one console line that must succeed and returns its standard output."""
    return run(data, command)[1]
