"""The data directory's safety (issue 12), against the real `certos` binary: the master key is never silently
replaced, a full disk keeps reads working, files are owner-only whatever the umask, and /ip service refuses a
certificate the TLS layer would refuse."""

import os
import shutil
import subprocess

from cli import CERTOS, out, run
from conftest import fill_disk, free_port, port_open, wait_until


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


def certos_with_store(data, store, command):
    """Runs one console line with --store; returns the CompletedProcess."""
    env = dict(os.environ, CERTOS_ADMIN_PASSWORD="admin-test-pw")
    return subprocess.run([CERTOS, "--data", str(data), "--store", store, "-c", command], capture_output=True,
                          text=True, env=env, timeout=60)


def test_store_url_names_the_database_and_the_master_key_stays_in_data(tmp_path):
    data, db = tmp_path / "node", tmp_path / "db"
    for command in ("/certificate add name=server common-name=server key-size=prime256v1",
                    "/certificate sign server"):
        proc = certos_with_store(data, f"sqlite:{db}", command)
        assert proc.returncode == 0, proc.stderr + proc.stdout
    assert (db / "certos.db").exists() and not (db / "master.key").exists()
    assert (data / "master.key").exists() and not (data / "certos.db").exists()
    listing = certos_with_store(data, f"sqlite:{db}", "/certificate print where name=server")
    assert "K" in listing.stdout, listing.stdout
    # The default store of that data directory is another, empty one.
    assert "server" not in out(data, "/certificate print")
    # Another data directory has no key for it, and certos does not make one.
    other = certos_with_store(tmp_path / "other", f"sqlite:{db}", "/certificate print")
    assert other.returncode != 0 and "master.key is missing" in other.stderr + other.stdout


def test_store_urls_certos_cannot_open_are_refused_with_a_reason(tmp_path):
    proc = certos_with_store(tmp_path / "data", "postgresql://certos:secret@db.example/certos", "/certificate print")
    assert proc.returncode != 0
    assert "PostgreSQL store is not built in yet" in proc.stderr
    assert "secret" not in proc.stderr + proc.stdout
    proc = certos_with_store(tmp_path / "data", "mysql://db/certos", "/certificate print")
    assert proc.returncode != 0 and "unknown store URL scheme mysql" in proc.stderr


def test_data_directory_is_owner_only_whatever_the_umask(tmp_path):
    data = tmp_path / "data"
    env = dict(os.environ, CERTOS_ADMIN_PASSWORD="admin-test-pw")

    def certos(*args):
        return subprocess.run([CERTOS, "--data", str(data), *args], capture_output=True, text=True, env=env,
                              umask=0o022, timeout=60, check=True)

    www = free_port()
    certos("-c", f"/ip service set www port={www}")
    make_keyed_certificate(data)
    certos("-c", "/certificate export-certificate server export-passphrase=secret-pass")
    certos("-c", '/file add name=uploads/upload.key contents="KEY"')
    serve = subprocess.Popen([CERTOS, "--data", str(data), "serve", "--listen", "127.0.0.1"], env=env, umask=0o022,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: port_open(www), timeout=20), "certos serve did not start"
        # While the daemon has the store open, the WAL and its index exist too.
        modes = {p.relative_to(data).as_posix(): p.stat().st_mode & 0o777 for p in data.rglob("*")}
    finally:
        serve.terminate()
        serve.wait(timeout=10)
    assert data.stat().st_mode & 0o777 == 0o700
    assert {"certos.db", "certos.db-wal", "certos.db-shm", "master.key", "files/cert_export_server.key",
            "files/uploads/upload.key"} <= modes.keys(), sorted(modes)
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (data / name).is_dir() else 0o600)}
    assert wrong == {}


def test_full_disk_keeps_reads_working_and_says_why_writes_fail(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        data = mount / "data"
        make_keyed_certificate(data)
        fill_disk(mount / "filler")
        assert os.statvfs(mount).f_bavail == 0

        listing = out(data, "/certificate print")
        assert "server" in listing
        assert "1" in out(data, "/certificate print count-only")
        assert "server" in out(data, "/certificate print detail where private-key")
        code, stdout, stderr = run(data, "/certificate add name=more common-name=more", check=False)
        assert code != 0
        assert "failure: database or disk is full" in stdout + stderr
        assert "disk I/O error" not in stdout + stderr

        # With room again, writes work.
        os.remove(mount / "filler")
        out(data, "/certificate add name=more common-name=more")
        assert "more" in out(data, "/certificate print")
    finally:
        subprocess.run(["umount", str(mount)], check=True)


TLS_DATA = os.path.join(os.path.dirname(__file__), "..", "data", "tls")


def import_tls_pair(data, name):
    """Imports tests/data/tls/<name>.crt and .key (made by the openssl CLI) as certificate <name>."""
    files = data / "files"
    files.mkdir(parents=True, exist_ok=True)
    for ext in ("crt", "key"):
        shutil.copy(os.path.join(TLS_DATA, f"{name}.{ext}"), files / f"{name}.{ext}")
        out(data, f"/certificate import file-name={name}.{ext} name={name}")


def test_service_certificate_the_tls_layer_refuses_is_refused_at_set(tmp_path):
    data = tmp_path / "data"
    out(data, "/certificate print")
    import_tls_pair(data, "rsa1024")
    import_tls_pair(data, "good")
    code, stdout, stderr = run(data, "/ip service set www-ssl certificate=rsa1024", check=False)
    assert code != 0
    assert "certificate rsa1024: key too small for TLS: rsa 1024" in stdout + stderr
    assert "rsa1024" not in out(data, "/ip service print where name=www-ssl")
    out(data, "/ip service set www-ssl certificate=good")
    assert "good" in out(data, "/ip service print where name=www-ssl")
