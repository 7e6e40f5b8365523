//! The vector layer's errors. Each variant says whose fault it is, so the server can map it to
//! a status without looking at messages (`server::error_map`).

/// What went wrong while answering a vector request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No table or function of that id in the catalog.
    #[error("Table/Function '{0}' not found.")]
    CollectionNotFound(String),
    /// No feature with that id.
    #[error("Item {item} in Collection {collection} does not exist.")]
    ItemNotFound { collection: String, item: String },
    /// A column named by the request (`sortby`, `geom-column`, a property filter...) that the
    /// collection does not have. TiPg answers these with 404.
    #[error("{0}")]
    UnknownColumn(String),
    /// A request value that cannot be used (bad bbox, datetime, filter, limit...).
    #[error("{0}")]
    BadRequest(String),
    /// The database cannot be reached (down, pool exhausted, connect timeout): retry later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The statement ran longer than the configured statement timeout.
    #[error("database statement timed out: {0}")]
    Timeout(String),
    /// The database rejected a statement (a filter naming an unknown column, a bad cast...).
    #[error("{0}")]
    Query(String),
    /// The database answered something this code did not expect.
    #[error("unexpected database answer: {0}")]
    Internal(String),
}

impl Error {
    /// Sorts a driver error: connection failures are `Unavailable`, cancelled statements
    /// (`statement_timeout`, SQLSTATE 57014) are `Timeout`; data exceptions (class 22: a bad
    /// literal for a column's type) and type errors (class 42: a filter comparing text with a
    /// number) are `BadRequest` — no request text is ever part of a statement, so these come
    /// from the request's values; the rest is `Query`.
    pub fn from_pg(e: tokio_postgres::Error) -> Error {
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            let msg = match db.hint() {
                Some(h) => format!("{}\nHINT:  {h}", db.message()),
                None => db.message().to_string(),
            };
            return match code {
                "57014" => Error::Timeout(msg),
                c if c.starts_with("22") || c.starts_with("42") => Error::BadRequest(msg),
                c if c.starts_with("08") || c.starts_with("53") || c.starts_with("57P") => {
                    Error::Unavailable(msg)
                }
                _ => Error::Query(msg),
            };
        }
        if e.is_closed() {
            return Error::Unavailable(e.to_string());
        }
        // I/O and protocol errors without a server answer: the connection is gone.
        Error::Unavailable(e.to_string())
    }

    /// Sorts a pool error: every failure to get a connection means the database is unavailable.
    pub fn from_pool(e: deadpool_postgres::PoolError) -> Error {
        match e {
            deadpool_postgres::PoolError::Backend(pg) => Error::from_pg(pg),
            other => Error::Unavailable(other.to_string()),
        }
    }
}
