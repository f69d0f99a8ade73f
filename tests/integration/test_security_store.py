"""The data directory's safety (issue 12), against the real `certos` binary: the master key is never silently
replaced, a full disk keeps reads working, files are owner-only whatever the umask, and /ip service refuses a
certificate the TLS layer would refuse."""

import os
import shutil

from cli import run, out


def make_keyed_certificate(data):
    """A self-signed certificate with a private key (sealed under the master key) in a new store."""
    out(data, "/certificate add name=server common-name=server key-size=prime256v1")
    out(data, "/certificate sign server")


def test_missing_master_key_is_not_replaced(tmp_path):
    data = tmp_path / "data"
    make_keyed_certificate(data)
    key_file = data / "master.key"
    saved = tmp_path / "master.key.saved"
    shutil.move(key_file, saved)

    code, stdout, stderr = run(data, "/certificate print", check=False)
    assert code != 0
    assert "master.key is missing" in stderr + stdout
    assert not key_file.exists(), "a new master key was written"

    # Restored, the key opens the store and its private key again.
    shutil.move(saved, key_file)
    assert "K" in out(data, "/certificate print where name=server")
    out(data, "/certificate export-certificate server export-passphrase=secret-pass")


def test_master_key_of_another_store_is_refused(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    make_keyed_certificate(first)
    out(second, "/certificate print")
    shutil.copy(second / "master.key", first / "master.key")

    code, stdout, stderr = run(first, "/certificate print", check=False)
    assert code != 0
    assert "does not match the store" in stderr + stdout
