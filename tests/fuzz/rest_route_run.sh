#!/bin/sh
# rest_route_run.sh fuzzes REST route resolution (tests/fuzz/rest_route_fuzz.cpp: rest::ResolveRoute on any
# method and path against the real command tree) from tests/fuzz/corpus/rest_route: a print, an item by `*ID` and
# by name, a command, a single-entry PATCH, percent-encoded and malformed escapes, empty and repeated segments,
# an unknown method. It links the whole tree (every menu, the SQLite store, pki, trust): the first build takes
# minutes; later ones compile only what changed. See lib/target.sh for the build, FUZZ_TIME and replaying an
# input.
NAME=rest_route_fuzz
SOURCES="rest/route.cpp net/http.cpp
         core/duration.cpp core/id.cpp core/time_format.cpp core/value.cpp
         crypto/base64.cpp crypto/bundle.cpp crypto/certificate.cpp crypto/crl.cpp crypto/csr.cpp crypto/digest.cpp crypto/ec_fast.cpp
         crypto/internal.cpp crypto/issue.cpp crypto/jose.cpp crypto/key.cpp crypto/key_id.cpp crypto/ossl.cpp crypto/password.cpp
         crypto/pkcs12.cpp crypto/random.cpp crypto/aead.cpp crypto/seal.cpp crypto/tls_credentials.cpp crypto/verify.cpp
         store/backup.cpp store/condition.cpp store/files.cpp store/open.cpp store/props_json.cpp store/sealed_keys.cpp
         store/sqlite/sqlite_condition.cpp store/sqlite/sqlite_connection.cpp store/sqlite/sqlite_schema.cpp
         store/sqlite/sqlite_store.cpp store/sqlite/sqlite_group_commit.cpp
         menu/api_query.cpp menu/audit.cpp menu/auth.cpp menu/backup_menu.cpp menu/export.cpp menu/certificate_acme_verbs.cpp
         menu/certificate_ca_verbs.cpp menu/certificate_import_verbs.cpp menu/certificate_menu.cpp menu/certificate_pushdown.cpp
         menu/certificate_trust_verbs.cpp
         menu/file_menu.cpp menu/filter.cpp menu/item_menu.cpp menu/list_menu.cpp menu/login_cache.cpp
         menu/login_throttle.cpp menu/menu_node.cpp menu/menus.cpp menu/metrics.cpp menu/policy.cpp menu/record.cpp
         menu/schema.cpp menu/system_menus.cpp menu/system_script.cpp menu/system_scheduler.cpp
         menu/system_clock.cpp menu/tree.cpp menu/monitor.cpp menu/logging.cpp menu/certificate_scep_client_verbs.cpp
         pki/chain.cpp pki/crl.cpp pki/describe.cpp pki/expiry.cpp pki/export.cpp pki/import.cpp pki/request.cpp
         pki/revoke.cpp pki/service_credentials.cpp pki/sign.cpp pki/template.cpp
         trust/builtin.cpp trust/crl_download.cpp trust/trust_store.cpp net/http_client.cpp
         acme/client.cpp acme/dns_check.cpp acme/jws.cpp acme/problem.cpp acme/renewal.cpp acme/sender.cpp
         acme/service.cpp acme/solver.cpp
         menu/certificate_scep_menu.cpp scep/message.cpp scep/server.cpp scep/client.cpp scep/enrol.cpp
         crypto/pkcs7_message.cpp"
LIBS="-lssl -lcrypto -lsqlite3 -lcurl -lfmt -lresolv -lpthread"
SEEDS="$(cd "$(dirname "$0")" && pwd)/corpus/rest_route"
MAX_LEN=4096
TIMEOUT=10
. "$(dirname "$0")/lib/target.sh"
