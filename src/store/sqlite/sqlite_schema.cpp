#include "store/sqlite/sqlite_schema.hpp"

#include <iterator>
#include <string>

namespace certos::store::sqlite {
namespace {

// kMigrations are applied in order; migration N (from 1) is kMigrations[N-1]. Never edit a migration that
// has been released: append a new one.
constexpr const char* kMigrations[] = {
    // 1: certificates, settings, counters.
    // Certificate ids come from the counter "store:certificates.id" (see sqlite_store.cpp), never from
    // rowid reuse, so an id is not given out again even after the highest row is deleted.
    // issuer_id is checked at COMMIT (DEFERRABLE INITIALLY DEFERRED): a command may delete a CA and the
    // certificates it issued in any order, but may not commit a certificate whose issuer is gone.
    R"sql(
        CREATE TABLE certificates (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            props TEXT NOT NULL,
            der BLOB,
            key_sealed BLOB,
            issuer_id INTEGER NULL REFERENCES certificates (id) DEFERRABLE INITIALLY DEFERRED
        );
        CREATE INDEX certificates_issuer ON certificates (issuer_id);
        CREATE TABLE settings (
            section TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (section, key)
        ) WITHOUT ROWID;
        CREATE TABLE counters (
            name TEXT NOT NULL PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
    )sql",
    // 2: items of simple list menus, the log, blobs.
    // Item ids come from one counter per kind, "store:items.<kind>.id", like certificate ids.
    // log.seq is AUTOINCREMENT: trimming the log to its capacity never lets a seq be handed out again.
    // Times (log.time, blobs.updated) are milliseconds since the Unix epoch, UTC.
    // blobs keeps its rowid because a blob (a CRL) can span many pages, which WITHOUT ROWID handles badly;
    // blobs_owner serves DeleteBlobs, which removes an owner's blobs of every kind.
    R"sql(
        CREATE TABLE items (
            kind TEXT NOT NULL,
            id INTEGER NOT NULL,
            name TEXT NOT NULL,
            props TEXT NOT NULL,
            PRIMARY KEY (kind, id),
            UNIQUE (kind, name)
        ) WITHOUT ROWID;
        CREATE TABLE log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time INTEGER NOT NULL,
            topics TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE TABLE blobs (
            kind TEXT NOT NULL,
            owner INTEGER NOT NULL,
            number INTEGER NOT NULL,
            data BLOB NOT NULL,
            updated INTEGER NOT NULL,
            PRIMARY KEY (kind, owner)
        );
        CREATE INDEX blobs_owner ON blobs (owner);
    )sql",
    // 3: change generations (Transaction::Generation). Every change to a certificate row, or to an item,
    // adds one to the counter "store:generation.certificate" or "store:generation.item.<kind>" in the same
    // transaction, whichever process makes it; a cache keyed on the counter notices every change.
    R"sql(
        CREATE TRIGGER certificates_generation_insert AFTER INSERT ON certificates BEGIN
            INSERT INTO counters (name, value) VALUES ('store:generation.certificate', 1)
                ON CONFLICT (name) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER certificates_generation_update AFTER UPDATE ON certificates BEGIN
            INSERT INTO counters (name, value) VALUES ('store:generation.certificate', 1)
                ON CONFLICT (name) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER certificates_generation_delete AFTER DELETE ON certificates BEGIN
            INSERT INTO counters (name, value) VALUES ('store:generation.certificate', 1)
                ON CONFLICT (name) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER items_generation_insert AFTER INSERT ON items BEGIN
            INSERT INTO counters (name, value) VALUES ('store:generation.item.' || NEW.kind, 1)
                ON CONFLICT (name) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER items_generation_update AFTER UPDATE ON items BEGIN
            INSERT INTO counters (name, value) VALUES ('store:generation.item.' || NEW.kind, 1)
                ON CONFLICT (name) DO UPDATE SET value = value + 1;
            INSERT INTO counters (name, value) VALUES ('store:generation.item.' || OLD.kind, 1)
                ON CONFLICT (name) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER items_generation_delete AFTER DELETE ON items BEGIN
            INSERT INTO counters (name, value) VALUES ('store:generation.item.' || OLD.kind, 1)
                ON CONFLICT (name) DO UPDATE SET value = value + 1;
        END;
    )sql",
    // 4: certificates.revision (Transaction::ListCertificateStamps) grows by one with every change of its row,
    // whichever statement or process makes it, so a cache can tell the rows that changed without reading them.
    // (The trigger's own UPDATE does not fire it again: SQLite triggers are not recursive by default, and
    // the WHEN clause would stop it anyway.)
    R"sql(
        ALTER TABLE certificates ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
        CREATE TRIGGER certificates_revision AFTER UPDATE ON certificates WHEN NEW.revision = OLD.revision BEGIN
            UPDATE certificates SET revision = OLD.revision + 1 WHERE id = NEW.id;
        END;
    )sql",
    // 5: the master key's check value (sqlite_master_key.cpp): a known text sealed under the master key when
    // the key is made, or when a store from before this migration is first opened. A key file that does not
    // open it is not the key of this store.
    R"sql(
        CREATE TABLE master_key_check (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            sealed BLOB NOT NULL
        );
    )sql",
    // 6: leases (Transaction::AcquireLease): who runs a scheduled job until when. `expires` is milliseconds
    // since the Unix epoch, UTC, on the clock of the process that took the lease.
    R"sql(
        CREATE TABLE leases (
            name TEXT NOT NULL PRIMARY KEY,
            holder TEXT NOT NULL,
            expires INTEGER NOT NULL
        ) WITHOUT ROWID;
    )sql",
    // 7: the store boundary ready for a second backend (issue 11).
    //  - Generations and revisions are bumped by the backend's write operations in C++ (sqlite_store.cpp,
    //    Transaction::Generation's contract), not by triggers: the triggers of migrations 3 and 4 go.
    //  - The master key's check value is a store setting (section "store", key "master-key-check", lowercase
    //    hex), written and checked by the store-generic sealing layer (store/sealed_keys.cpp).
    R"sql(
        DROP TRIGGER IF EXISTS certificates_generation_insert;
        DROP TRIGGER IF EXISTS certificates_generation_update;
        DROP TRIGGER IF EXISTS certificates_generation_delete;
        DROP TRIGGER IF EXISTS items_generation_insert;
        DROP TRIGGER IF EXISTS items_generation_update;
        DROP TRIGGER IF EXISTS items_generation_delete;
        DROP TRIGGER IF EXISTS certificates_revision;
        INSERT INTO settings (section, key, value)
            SELECT 'store', 'master-key-check', lower(hex(sealed)) FROM master_key_check WHERE id = 1
            ON CONFLICT DO NOTHING;
        DROP TABLE IF EXISTS master_key_check;
    )sql",
    // 8: certificates.sort_key, the order of `/certificate print` (issue 16): signed certificates in the order
    // they were signed (the counter "store:certificates.sign-seq"), then templates in the order added
    // (kTemplateSortBase + id). A row keeps its id when it is signed; only its sort key moves. Rows signed
    // before this migration keep their id order.
    R"sql(
        ALTER TABLE certificates ADD COLUMN sort_key INTEGER NOT NULL DEFAULT 0;
        UPDATE certificates SET sort_key = CASE WHEN der IS NULL THEN 4611686018427387904 + id ELSE id END;
        CREATE INDEX certificates_sort ON certificates (sort_key);
        INSERT INTO counters (name, value)
            SELECT 'store:certificates.sign-seq', COALESCE(MAX(id), 0) FROM certificates WHERE der IS NOT NULL
            ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value);
    )sql",
    // 9: indexed columns for filters and counts pushed down to the store (issue 13,
    // Transaction::CountCertificates; sqlite_condition.cpp). Each is one property of `props` (null when absent),
    // not_after the certificate's end of validity in seconds, as CAST reads "not-after" (0 when unreadable; null
    // for a template). They are generated columns, computed by SQLite from props and der, so that every statement
    // that writes a row (insert, update, a backup's restore) keeps them true without binding them; VIRTUAL (ALTER
    // TABLE cannot add STORED ones), with their indexes holding the values. Rows whose props are not JSON read null.
    R"sql(
        ALTER TABLE certificates ADD COLUMN common_name TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."common-name"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN subject_alt_name TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."subject-alt-name"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN key_type TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."key-type"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN trusted TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."trusted"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN issuer TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."issuer"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN serial_number TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."serial-number"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN fingerprint TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."fingerprint"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN authority TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."authority"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN acme_managed TEXT
            GENERATED ALWAYS AS (CASE WHEN json_valid(props) THEN json_extract(props, '$."acme-managed"') END) VIRTUAL;
        ALTER TABLE certificates ADD COLUMN not_after INTEGER
            GENERATED ALWAYS AS (CASE WHEN der IS NULL THEN NULL
                                      WHEN json_valid(props) THEN COALESCE(CAST(json_extract(props, '$."not-after"')
                                                                                AS INTEGER), 0)
                                      ELSE 0 END) VIRTUAL;
        CREATE INDEX certificates_common_name ON certificates (common_name);
        CREATE INDEX certificates_subject_alt_name ON certificates (subject_alt_name);
        CREATE INDEX certificates_key_type ON certificates (key_type);
        CREATE INDEX certificates_trusted ON certificates (trusted);
        CREATE INDEX certificates_serial_number ON certificates (serial_number);
        CREATE INDEX certificates_fingerprint ON certificates (fingerprint);
        CREATE INDEX certificates_not_after ON certificates (not_after);
    )sql",
    // 10: fewer pages written by each command (issue 13; bench/BENCHMARKS.md, "pages per command"). Each command
    // is one durable commit, and a commit writes every page it changed to the WAL.
    //  - The indexes of properties a template lacks (serial number, fingerprint, end of validity) and of ones
    //    often absent (common name, subject alt name) hold only rows that have them: adding a template no longer
    //    writes their pages. Every pushed-down comparison reads `col IS NOT NULL AND col <op> ?`
    //    (sqlite_condition.cpp), which SQLite matches to these partial indexes; only `col IS NULL` no longer
    //    has an index (it was a scan of templates anyway).
    //  - Authority and acme-managed get indexes of only the rows where they are "true" (the CAs, the certificates
    //    ACME renews): the daemon's CRL and renewal jobs find those without reading every row, and no other
    //    row writes a page of them. sqlite_condition.cpp writes `= 'true'` into the statement for them.
    //  - log.seq is no longer AUTOINCREMENT, which wrote the sqlite_sequence page on every line: only the
    //    oldest lines are ever deleted, so the largest seq is never deleted and max(seq) + 1, what an INTEGER
    //    PRIMARY KEY gives, numbers the lines as AUTOINCREMENT did. The store now prunes the oldest lines in
    //    batches (sqlite_store.cpp, AppendLog) and lists only the newest kLogCapacity.
    R"sql(
        DROP INDEX certificates_common_name;
        DROP INDEX certificates_subject_alt_name;
        DROP INDEX certificates_serial_number;
        DROP INDEX certificates_fingerprint;
        DROP INDEX certificates_not_after;
        CREATE INDEX certificates_common_name ON certificates (common_name) WHERE common_name IS NOT NULL;
        CREATE INDEX certificates_subject_alt_name ON certificates (subject_alt_name)
            WHERE subject_alt_name IS NOT NULL;
        CREATE INDEX certificates_serial_number ON certificates (serial_number) WHERE serial_number IS NOT NULL;
        CREATE INDEX certificates_fingerprint ON certificates (fingerprint) WHERE fingerprint IS NOT NULL;
        CREATE INDEX certificates_not_after ON certificates (not_after) WHERE not_after IS NOT NULL;
        CREATE INDEX certificates_authority ON certificates (authority) WHERE authority = 'true';
        CREATE INDEX certificates_acme_managed ON certificates (acme_managed) WHERE acme_managed = 'true';
        CREATE TABLE log_lines (
            seq INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            topics TEXT NOT NULL,
            message TEXT NOT NULL
        );
        INSERT INTO log_lines (seq, time, topics, message) SELECT seq, time, topics, message FROM log;
        DROP TABLE log;
        ALTER TABLE log_lines RENAME TO log;
    )sql",
};

constexpr const char* kCreateVersionTable = R"sql(
    CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    )
)sql";

// AppliedVersion is the highest migration recorded in the database; 0 for a new database.
int AppliedVersion(Connection& conn) {
    {
        Query exists = conn.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
        if (!exists.Step()) {
            return 0;
        }
    }
    Query query = conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    query.Step();
    return static_cast<int>(query.Int(0));
}

void CheckNotNewer(int applied, const std::filesystem::path& file) {
    if (applied > SchemaVersion()) {
        throw core::Failure("database " + file.string() + " has schema version " + std::to_string(applied) +
                            ", newer than this certos supports (" + std::to_string(SchemaVersion()) +
                            "); upgrade certos");
    }
}

void ApplyMissing(Connection& conn, const std::filesystem::path& file) {
    conn.Exec(kCreateVersionTable);
    // Read again under the write lock: another process may have migrated since the first look.
    int applied = AppliedVersion(conn);
    CheckNotNewer(applied, file);
    for (int version = applied + 1; version <= SchemaVersion(); ++version) {
        conn.Exec(kMigrations[version - 1]);
        conn.Prepare("INSERT INTO schema_version (version) VALUES (?)").Bind(1, std::int64_t{version}).Run();
    }
}

}  // namespace

int SchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

void Migrate(Connection& conn, const std::filesystem::path& file) {
    // The usual case, an up-to-date database, needs no write lock.
    int applied = AppliedVersion(conn);
    CheckNotNewer(applied, file);
    if (applied == SchemaVersion()) {
        return;
    }
    conn.Exec("BEGIN IMMEDIATE");
    try {
        ApplyMissing(conn, file);
        conn.Exec("COMMIT");
    } catch (...) {
        conn.Rollback();
        throw;
    }
}

}  // namespace certos::store::sqlite
