"""Debian's ansible with the community.routeros collection it ships (connection local, through librouteros)
against certos's API protocol: community.routeros.api adds and signs a certificate, community.routeros.api_modify
sets `certificate settings` and `ip service`; the second run of the same playbook changes nothing."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ADMIN_PASSWORD

COLLECTION = Path("/usr/lib/python3/dist-packages/ansible_collections/community/routeros")

# A missing dependency is a failure, not a skip: scripts/install-deps.sh installs both.
assert shutil.which("ansible-playbook") is not None and COLLECTION.is_dir(), \
    "ansible with community.routeros is not installed (scripts/install-deps.sh)"

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/community.routeros.api:
      hostname: 127.0.0.1
      port: "{{ api_port }}"
      username: admin
      password: "{{ api_password }}"
  tasks:
    - name: find the CA
      community.routeros.api:
        path: certificate
        extended_query:
          attributes: [name]
          where:
            - attribute: name
              is: "=="
              value: ansible-ca
      register: found

    - name: add the CA template
      community.routeros.api:
        path: certificate
        add: name=ansible-ca common-name=ansible-ca key-size=prime256v1 key-usage=key-cert-sign,crl-sign
      when: found.msg | length == 0

    - name: sign it
      community.routeros.api:
        path: certificate
        cmd: sign .id=ansible-ca
      when: found.msg | length == 0

    - name: certificate settings
      community.routeros.api_modify:
        path: certificate settings
        data:
          - crl-download: false
            crl-use: true
            crl-store: ram

    - name: ip service
      community.routeros.api_modify:
        path: ip service
        data:
          - name: api
            port: "{{ api_port }}"
            address: ""
          - name: telnet
            disabled: true
          - name: ftp
            port: 2100
          - name: www-ssl
            disabled: true
"""


def play(d, tmp_path):
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3",
               ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    proc = subprocess.run(["ansible-playbook", str(playbook), "-e",
                           json.dumps({"api_port": d.api_port, "api_password": ADMIN_PASSWORD})],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout[proc.stdout.index("{"):])
    stats = result["stats"]["localhost"]
    changed = {task["task"]["name"]: task["hosts"]["localhost"].get("changed", False)
               for task in result["plays"][0]["tasks"]}
    return stats, changed


def test_ansible_adds_signs_and_modifies_then_changes_nothing(certos_daemon, tmp_path):
    d = certos_daemon
    stats, changed = play(d, tmp_path)
    assert stats["failures"] == 0
    assert changed["add the CA template"]  # (the api module's `cmd` always reports "not changed")
    assert changed["certificate settings"] and changed["ip service"]
    import librouteros
    api = librouteros.connect(host="127.0.0.1", username="admin", password=ADMIN_PASSWORD, port=d.api_port)
    ca = [c for c in api.path("certificate") if c["name"] == "ansible-ca"]
    api.close()
    assert len(ca) == 1 and ca[0]["private-key"] is True and ca[0]["authority"] is True  # signed
    assert "crl-use: yes" in d.console("/certificate settings print")
    assert "2100" in d.console("/ip service print where name=ftp")

    stats, changed = play(d, tmp_path)
    assert stats["changed"] == 0, changed
