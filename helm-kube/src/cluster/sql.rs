//! Helm's `sql` storage driver (`HELM_DRIVER=sql`, `pkg/storage/driver/sql.go`): release
//! records in PostgreSQL, in Helm's schema, so Helm and helm-rs read and write each other's
//! rows.
//!
//! The schema is Helm's two migrations, recorded as sql-migrate records them
//! (`gorp_migrations`, ids `init` and `custom_labels`): whichever tool connects first creates
//! the tables and the other sees them applied. `releases_v1` holds one row per revision — key
//! `sh.helm.release.v1.NAME.vREV` with its namespace as primary key, the record as Helm encodes
//! it (base64 of gzipped JSON) in `body`, and `name`, `namespace`, `version`, `status`,
//! `owner = helm`, `createdAt`/`modifiedAt` (Unix seconds) to query on; `custom_labels_v1` the
//! release's own labels. Unquoted, the camel-case column names are folded to lower case by
//! PostgreSQL, as in Helm's schema.
//!
//! Creating a revision that exists fails on the primary key, so two writers racing for one
//! revision get exactly one winner, as with the Kubernetes drivers. Each change runs in one
//! transaction; the connection is shared by the driver's clones and used by one call at a time.

use crate::cluster::storage::object_name;
use helm_core::release::codec;
use helm_core::release::{Release, ReleaseStorage, StorageError};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Labels Helm keeps in `releases_v1`'s own columns; the others go to `custom_labels_v1`.
const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// Helm's migrations, as sql-migrate applies them.
const MIGRATIONS: [(&str, &str); 2] = [
    (
        "init",
        "CREATE TABLE releases_v1 (
            key VARCHAR(90),
            type VARCHAR(64) NOT NULL,
            body TEXT NOT NULL,
            name VARCHAR(64) NOT NULL,
            namespace VARCHAR(64) NOT NULL,
            version INTEGER NOT NULL,
            status TEXT NOT NULL,
            owner TEXT NOT NULL,
            createdAt INTEGER NOT NULL,
            modifiedAt INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY(key, namespace)
        );
        CREATE INDEX ON releases_v1 (key, namespace);
        CREATE INDEX ON releases_v1 (version);
        CREATE INDEX ON releases_v1 (status);
        CREATE INDEX ON releases_v1 (owner);
        CREATE INDEX ON releases_v1 (createdAt);
        CREATE INDEX ON releases_v1 (modifiedAt);
        GRANT ALL ON releases_v1 TO PUBLIC;
        ALTER TABLE releases_v1 ENABLE ROW LEVEL SECURITY;",
    ),
    (
        "custom_labels",
        "CREATE TABLE custom_labels_v1 (
            releaseKey VARCHAR(64),
            releaseNamespace VARCHAR(67),
            key VARCHAR(317),
            value VARCHAR(63)
        );
        CREATE INDEX ON custom_labels_v1 (releaseKey, releaseNamespace);
        GRANT ALL ON custom_labels_v1 TO PUBLIC;
        ALTER TABLE custom_labels_v1 ENABLE ROW LEVEL SECURITY;",
    ),
];

/// A connection to the database, shared by every [`SqlStorage`] made from it.
#[derive(Clone)]
pub struct SqlDatabase {
    client: Arc<Mutex<tokio_postgres::Client>>,
}

fn db_error(e: tokio_postgres::Error) -> StorageError {
    StorageError::Backend(e.to_string())
}

fn now() -> i32 {
    chrono::Utc::now().timestamp() as i32
}

impl SqlDatabase {
    /// Connects (`connection`: Helm's `HELM_DRIVER_SQL_CONNECTION_STRING`, a `postgres://` URL
    /// or `key=value` pairs) and applies Helm's migrations that are not recorded yet.
    pub async fn connect(connection: &str) -> Result<SqlDatabase, StorageError> {
        let (client, conn) = tokio_postgres::connect(connection, tokio_postgres::NoTls)
            .await
            .map_err(db_error)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut client = client;
        Self::migrate(&mut client).await?;
        Ok(SqlDatabase {
            client: Arc::new(Mutex::new(client)),
        })
    }

    async fn migrate(client: &mut tokio_postgres::Client) -> Result<(), StorageError> {
        client
            .batch_execute("CREATE TABLE IF NOT EXISTS gorp_migrations (id text not null primary key, applied_at timestamp with time zone)")
            .await
            .map_err(db_error)?;
        for (id, up) in MIGRATIONS {
            let tx = client.transaction().await.map_err(db_error)?;
            // Serialises two first connections: the second waits, then sees the record.
            tx.batch_execute("LOCK TABLE gorp_migrations IN EXCLUSIVE MODE")
                .await
                .map_err(db_error)?;
            if tx
                .query_opt("SELECT id FROM gorp_migrations WHERE id = $1", &[&id])
                .await
                .map_err(db_error)?
                .is_some()
            {
                continue;
            }
            tx.batch_execute(up).await.map_err(db_error)?;
            tx.execute(
                "INSERT INTO gorp_migrations (id, applied_at) VALUES ($1, now())",
                &[&id],
            )
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
        }
        Ok(())
    }

    /// The driver for `namespace` (empty: every namespace, for listing).
    pub fn storage(&self, namespace: &str) -> SqlStorage {
        SqlStorage {
            db: self.clone(),
            namespace: namespace.to_string(),
        }
    }
}

/// Helm's `sql` driver scoped to one namespace (empty: all, read-only use).
#[derive(Clone)]
pub struct SqlStorage {
    db: SqlDatabase,
    namespace: String,
}

impl SqlStorage {
    fn ns_for(&self, rel: &Release) -> String {
        if !self.namespace.is_empty() {
            self.namespace.clone()
        } else if rel.namespace.is_empty() {
            "default".into()
        } else {
            rel.namespace.clone()
        }
    }

    /// The release whose `body` the one row of `query` (parameters key and namespace) holds,
    /// with its custom labels; NotFound when there is no row.
    async fn one(
        client: &impl tokio_postgres::GenericClient,
        query: &str,
        key: &str,
        namespace: &str,
    ) -> Result<Release, StorageError> {
        let row = client
            .query_opt(query, &[&key, &namespace])
            .await
            .map_err(db_error)?
            .ok_or(StorageError::NotFound)?;
        let body: String = row.get(0);
        Self::decode(client, key, namespace, &body, false).await
    }

    /// The record in `body` with its custom labels (and, as Helm's List gives them, the system
    /// ones when `system`).
    async fn decode(
        client: &impl tokio_postgres::GenericClient,
        key: &str,
        namespace: &str,
        body: &str,
        system: bool,
    ) -> Result<Release, StorageError> {
        let mut rel = codec::decode(body)?;
        let rows = client
            .query("SELECT key, value FROM custom_labels_v1 WHERE releaseKey = $1 AND releaseNamespace = $2", &[&key, &namespace])
            .await
            .map_err(db_error)?;
        let mut labels: BTreeMap<String, String> = rows
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
            .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
            .collect();
        if system {
            labels.insert("name".into(), rel.name.clone());
            labels.insert("owner".into(), "helm".into());
            labels.insert("status".into(), rel.status().as_str().into());
            labels.insert("version".into(), rel.version.to_string());
        }
        rel.labels = labels;
        if rel.namespace.is_empty() {
            rel.namespace = namespace.to_string();
        }
        Ok(rel)
    }

    async fn select(&self, name: Option<&str>, system: bool) -> Result<Vec<Release>, StorageError> {
        let client = self.db.client.lock().await;
        let mut sql =
            "SELECT key, namespace, body FROM releases_v1 WHERE owner = 'helm'".to_string();
        let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = Vec::new();
        if let Some(n) = &name {
            params.push(n);
            sql.push_str(&format!(" AND name = ${}", params.len()));
        }
        if !self.namespace.is_empty() {
            params.push(&self.namespace);
            sql.push_str(&format!(" AND namespace = ${}", params.len()));
        }
        let rows = client
            .query(sql.as_str(), &params)
            .await
            .map_err(db_error)?;
        let mut out = Vec::new();
        for row in rows {
            let (key, ns, body): (String, String, String) = (row.get(0), row.get(1), row.get(2));
            // Helm skips records it cannot decode; so do we.
            if let Ok(rel) = Self::decode(&*client, &key, &ns, &body, system).await {
                out.push(rel);
            }
        }
        Ok(out)
    }
}

impl ReleaseStorage for SqlStorage {
    fn name(&self) -> &'static str {
        "SQL"
    }

    fn create(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        let rel = rel.clone();
        async move {
            let body = codec::encode(&rel)?;
            let (key, ns) = (object_name(&rel.name, rel.version), self.ns_for(&rel));
            let mut client = self.db.client.lock().await;
            let tx = client.transaction().await.map_err(db_error)?;
            let inserted = tx
                .execute(
                    "INSERT INTO releases_v1 (key, type, body, name, namespace, version, status, owner, createdAt) VALUES ($1, 'helm.sh/release.v1', $2, $3, $4, $5, $6, 'helm', $7)",
                    &[&key, &body, &rel.name, &ns, &(rel.version as i32), &rel.status().as_str(), &now()],
                )
                .await;
            if let Err(e) = inserted {
                if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
                    return Err(StorageError::AlreadyExists);
                }
                return Err(db_error(e));
            }
            for (k, v) in rel
                .labels
                .iter()
                .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
            {
                tx.execute("INSERT INTO custom_labels_v1 (releaseKey, releaseNamespace, key, value) VALUES ($1, $2, $3, $4)", &[&key, &ns, k, v])
                    .await
                    .map_err(db_error)?;
            }
            tx.commit().await.map_err(db_error)
        }
    }

    fn update(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        let rel = rel.clone();
        async move {
            let body = codec::encode(&rel)?;
            let (key, ns) = (object_name(&rel.name, rel.version), self.ns_for(&rel));
            let client = self.db.client.lock().await;
            let n = client
                .execute(
                    "UPDATE releases_v1 SET body = $1, name = $2, version = $3, status = $4, owner = 'helm', modifiedAt = $5 WHERE key = $6 AND namespace = $7",
                    &[&body, &rel.name, &(rel.version as i32), &rel.status().as_str(), &now(), &key, &ns],
                )
                .await
                .map_err(db_error)?;
            if n == 0 {
                return Err(StorageError::NotFound);
            }
            Ok(())
        }
    }

    fn delete(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send {
        let key = object_name(name, version);
        async move {
            let mut client = self.db.client.lock().await;
            let tx = client.transaction().await.map_err(db_error)?;
            let delete = "DELETE FROM releases_v1 WHERE key = $1 AND namespace = $2 RETURNING body";
            let rel = Self::one(&tx, delete, &key, &self.namespace).await?;
            tx.execute(
                "DELETE FROM custom_labels_v1 WHERE releaseKey = $1 AND releaseNamespace = $2",
                &[&key, &self.namespace],
            )
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            Ok(rel)
        }
    }

    fn get(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send {
        let key = object_name(name, version);
        async move {
            let client = self.db.client.lock().await;
            let select = "SELECT body FROM releases_v1 WHERE key = $1 AND namespace = $2";
            Self::one(&*client, select, &key, &self.namespace).await
        }
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        async move { self.select(None, true).await }
    }

    fn history(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        let name = name.to_string();
        async move { self.select(Some(&name), false).await }
    }
}
