//! Vector features and tiles from PostGIS: TiPg's OGC API Features / Tiles data layer.
//!
//! [`catalog`] reads which tables, views and functions are served; [`query`] builds the one
//! parameterised statement a request runs; [`filter`] translates CQL2; [`VectorBackend`] owns
//! the connection pool and the cached catalog. This layer sits above `tms`/`crs` and below
//! `server`: it knows nothing of HTTP.

pub mod catalog;
pub mod error;
pub mod filter;
pub mod query;
pub mod sql;

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use serde_json::{Map, Value};
use tokio_postgres::{CancelToken, NoTls};

pub use catalog::{Catalog, CatalogSettings, Collection, Column, Kind};
pub use error::Error;
pub use query::{Datetime, GeomFormat, ItemsQuery, TileTarget};

/// Most features one request returns (items `limit` and features per tile).
pub const MAX_FEATURES: u32 = 10_000;
/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 10;

/// How to reach and use the database.
#[derive(Clone, Debug)]
pub struct VectorConfig {
    /// `postgresql://user@host:port/db`.
    pub database_url: String,
    /// Most connections open at once: requests beyond wait for one (up to `acquire_timeout`).
    pub pool_size: usize,
    /// Server-side `statement_timeout` of every connection.
    pub statement_timeout: Duration,
    /// Connecting, and waiting for a free connection, give up after this.
    pub acquire_timeout: Duration,
    /// The catalog is read again when older than this.
    pub catalog_ttl: Duration,
    pub catalog: CatalogSettings,
}

impl VectorConfig {
    pub fn new(database_url: String) -> VectorConfig {
        VectorConfig {
            database_url,
            pool_size: 16,
            statement_timeout: Duration::from_secs(30),
            acquire_timeout: Duration::from_secs(5),
            catalog_ttl: Duration::from_secs(300),
            catalog: CatalogSettings::default(),
        }
    }
}

/// One feature as read from the database.
#[derive(Clone, Debug)]
pub struct Feature {
    pub id: Value,
    pub properties: Map<String, Value>,
    /// GeoJSON or EWKT text, per the requested [`GeomFormat`].
    pub geometry: Option<String>,
}

/// PostgreSQL writes a `float8` 5496 as `5496` in JSON; keep it a float (`5496.0`) as
/// clients reading the column's type expect (and as TiPg answers).
fn floats_as_floats(c: &Collection, mut m: Map<String, Value>) -> Map<String, Value> {
    for (k, v) in m.iter_mut() {
        if let Value::Number(n) = v {
            let float_col = c
                .column(k)
                .is_some_and(|col| matches!(col.typ.as_str(), "float8" | "real" | "float4"));
            if float_col && !n.is_f64() {
                if let Some(f) = n.as_f64().and_then(serde_json::Number::from_f64) {
                    *v = Value::Number(f);
                }
            }
        }
    }
    m
}

/// The pool and the cached catalog.
pub struct VectorBackend {
    pool: Pool,
    config: VectorConfig,
    catalog: tokio::sync::RwLock<Option<(Arc<Catalog>, Instant)>>,
    /// Serialises catalog reloads so a burst of requests reads it once.
    reload: tokio::sync::Mutex<()>,
}

/// A pooled connection whose running statement is cancelled if the request is dropped
/// mid-statement (the client went away): otherwise it would run on until
/// `statement_timeout`. Such a connection is taken out of the pool, so the asynchronous
/// cancel can never hit the next request's statement.
struct Conn {
    obj: Option<deadpool_postgres::Object>,
    busy: bool,
}

impl Conn {
    async fn query(&mut self, sql: &sql::Sql) -> Result<Vec<tokio_postgres::Row>, Error> {
        let Some(obj) = self.obj.as_ref() else {
            return Err(Error::Internal("connection already released".into()));
        };
        self.busy = true;
        let r = obj.query(&sql.text, &sql.args()).await;
        self.busy = false;
        r.map_err(Error::from_pg)
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if !self.busy {
            return;
        }
        if let (Some(obj), Ok(h)) = (self.obj.take(), tokio::runtime::Handle::try_current()) {
            let client = deadpool_postgres::Object::take(obj);
            let token: CancelToken = client.cancel_token();
            h.spawn(async move {
                let _ = token.cancel_query(NoTls).await;
                drop(client);
            });
        }
    }
}

impl VectorBackend {
    /// A backend for `config`. Connects lazily: a database that is down at start makes
    /// requests fail with [`Error::Unavailable`] until it is back.
    pub fn new(config: VectorConfig) -> Result<VectorBackend, Error> {
        let mut pg = tokio_postgres::Config::from_str(&config.database_url)
            .map_err(|e| Error::BadRequest(format!("invalid database URL: {e}")))?;
        pg.options(format!(
            "-c statement_timeout={}",
            config.statement_timeout.as_millis()
        ));
        pg.connect_timeout(config.acquire_timeout);
        pg.application_name("cogtiler");
        let mgr = Manager::from_config(
            pg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(mgr)
            .max_size(config.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(config.acquire_timeout))
            .create_timeout(Some(config.acquire_timeout))
            .recycle_timeout(Some(config.acquire_timeout))
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(VectorBackend {
            pool,
            config,
            catalog: tokio::sync::RwLock::new(None),
            reload: tokio::sync::Mutex::new(()),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, Error> {
        self.pool.get().await.map_err(Error::from_pool)
    }

    async fn conn(&self) -> Result<Conn, Error> {
        Ok(Conn {
            obj: Some(self.client().await?),
            busy: false,
        })
    }

    /// The catalog, read again when older than the TTL. If a reload fails the previous
    /// catalog is kept (and the reload retried on the next request).
    pub async fn catalog(&self) -> Result<Arc<Catalog>, Error> {
        if let Some((c, at)) = &*self.catalog.read().await {
            if at.elapsed() < self.config.catalog_ttl {
                return Ok(c.clone());
            }
        }
        let _guard = self.reload.lock().await;
        let stale = self.catalog.read().await.clone();
        if let Some((c, at)) = &stale {
            if at.elapsed() < self.config.catalog_ttl {
                return Ok(c.clone());
            }
        }
        let loaded = async {
            let client = self.client().await?;
            catalog::load(&client, &self.config.catalog).await
        }
        .await;
        match loaded {
            Ok(c) => {
                let c = Arc::new(c);
                *self.catalog.write().await = Some((c.clone(), Instant::now()));
                Ok(c)
            }
            Err(e) => match stale {
                Some((c, _)) => {
                    tracing::warn!("catalog reload failed, keeping the previous one: {e}");
                    Ok(c)
                }
                None => Err(e),
            },
        }
    }

    /// The number of features matching `q` and one page of them.
    pub async fn items(
        &self,
        c: &Collection,
        q: &ItemsQuery,
        fmt: GeomFormat,
    ) -> Result<(u64, Vec<Feature>), Error> {
        let count_sql = query::count(c, q)?;
        let items_sql = query::items(c, q, fmt)?;
        let mut conn = self.conn().await?;
        let counted = conn.query(&count_sql).await?;
        let matched: i64 = counted
            .first()
            .map(|r| r.get(0))
            .ok_or_else(|| Error::Internal("count returned no row".into()))?;
        let rows = conn.query(&items_sql).await?;
        drop(conn);
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let props: Option<String> = r.get(0);
            let id: Option<String> = r.get(1);
            let properties = match props {
                Some(p) => match serde_json::from_str(&p) {
                    Ok(Value::Object(m)) => floats_as_floats(c, m),
                    _ => return Err(Error::Internal("properties are not a JSON object".into())),
                },
                None => Map::new(),
            };
            let id = id
                .map(|s| serde_json::from_str(&s).unwrap_or(Value::String(s)))
                .unwrap_or(Value::Null);
            out.push(Feature {
                id,
                properties,
                geometry: r.get(2),
            });
        }
        Ok((u64::try_from(matched).unwrap_or(0), out))
    }

    /// The Mapbox Vector Tile of `q` in the tile `t`.
    pub async fn tile(
        &self,
        c: &Collection,
        q: &ItemsQuery,
        t: &TileTarget,
    ) -> Result<Vec<u8>, Error> {
        let sql = query::tile(c, q, t)?;
        let mut conn = self.conn().await?;
        let rows = conn.query(&sql).await?;
        drop(conn);
        let bytes: Option<Vec<u8>> = rows.first().and_then(|r| r.get(0));
        Ok(bytes.unwrap_or_default())
    }
}
