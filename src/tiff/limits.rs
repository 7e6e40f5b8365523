//! Upper bounds on what a file may declare, so a crafted header cannot make us allocate or
//! loop without end.

/// Parser limits. `Default` gives the documented values, generous for real COGs.
#[derive(Clone, Debug)]
pub struct Limits {
    /// IFDs in the chain (levels + masks). Default 256.
    pub max_ifds: usize,
    /// Entries in one IFD. Default 4096.
    pub max_entries: u64,
    /// Bytes of one tag's value (offset arrays of huge files are the largest). Default 64 MiB.
    pub max_tag_bytes: u64,
    /// Chunks (tiles or strips) per IFD and per plane set. Default 8 Mi.
    pub max_chunks: u64,
    /// Image width or height in pixels. Default 16 Mi.
    pub max_dimension: u64,
    /// Tile width or height in pixels. Default 65536.
    pub max_tile_dim: u64,
    /// Decoded bytes of one chunk. Default 512 MiB.
    pub max_chunk_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_ifds: 256,
            max_entries: 4096,
            max_tag_bytes: 64 << 20,
            max_chunks: 8 << 20,
            max_dimension: 16 << 20,
            max_tile_dim: 65536,
            max_chunk_bytes: 512 << 20,
        }
    }
}
