//! The query string as TiTiler sees it: an ordered multimap.
//!
//! TiTiler clients repeat keys (`bidx=1&bidx=2`, `rescale=0,10&rescale=0,20`) and the order of
//! the repetitions matters (one `rescale` per output band). Starlette keeps every pair in order;
//! a scalar parameter reads the **last** occurrence, a list parameter reads all of them. This
//! type keeps the decoded pairs in arrival order and offers exactly those two readings, so the
//! parameter structs in [`super::params`] never see raw strings.
//!
//! With `lower_case_keys` (TiTiler's `TITILER_API_LOWER_CASE_QUERY_PARAMETERS`), keys are
//! lower-cased at parse time so `?URL=` and `?url=` are the same parameter.

/// Decoded `key=value` pairs in arrival order (`+` and `%XX` decoded, blank values kept).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a raw query string (without the leading `?`).
    pub fn parse(raw: &str, lower_case_keys: bool) -> Query {
        let pairs = form_urlencoded::parse(raw.as_bytes())
            .map(|(k, v)| {
                let k = if lower_case_keys {
                    k.to_lowercase()
                } else {
                    k.into_owned()
                };
                (k, v.into_owned())
            })
            .collect();
        Query { pairs }
    }

    /// Builds a query from pairs (tests, internal redirects).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Query {
        Query {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The last value given for `key` (Starlette's scalar reading), if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `key`, in order (Starlette's `getlist`).
    pub fn get_all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether `key` was given at all (even with a blank value).
    pub fn contains(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    /// All pairs in arrival order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The pairs minus the given keys, re-encoded as a query string (`a=1&b=2`).
    ///
    /// TiTiler builds tile URL templates (tilejson `tiles`, WMTS, tileset links) by echoing the
    /// request's query minus the parameters that only concern the document itself.
    pub fn encode_without(&self, drop: &[&str]) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if !drop.contains(&k.as_str()) {
                ser.append_pair(k, v);
            }
        }
        ser.finish()
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_keep_order_and_scalar_reads_last() {
        let q = Query::parse("bidx=1&rescale=0%2C10&bidx=3&rescale=0,20&x=", false);
        assert_eq!(q.get_all("bidx"), vec!["1", "3"]);
        assert_eq!(q.get("bidx"), Some("3"));
        assert_eq!(q.get_all("rescale"), vec!["0,10", "0,20"]);
        assert_eq!(q.get("x"), Some(""));
        assert!(q.contains("x"));
        assert_eq!(q.get("missing"), None);
    }

    #[test]
    fn plus_and_percent_are_decoded() {
        let q = Query::parse("expression=b1%2Bb2&color_formula=gamma+RGB+1.5", false);
        assert_eq!(q.get("expression"), Some("b1+b2"));
        assert_eq!(q.get("color_formula"), Some("gamma RGB 1.5"));
    }

    #[test]
    fn lower_case_keys_option() {
        let q = Query::parse("URL=a&Bidx=1", true);
        assert_eq!(q.get("url"), Some("a"));
        assert_eq!(q.get_all("bidx"), vec!["1"]);
        let q = Query::parse("URL=a", false);
        assert_eq!(q.get("url"), None);
    }

    #[test]
    fn encode_without_drops_keys_and_reencodes() {
        let q = Query::parse(
            "url=http%3A%2F%2Fh%2Fa.tif&tile_format=png&rescale=1,2",
            false,
        );
        assert_eq!(
            q.encode_without(&["tile_format"]),
            "url=http%3A%2F%2Fh%2Fa.tif&rescale=1%2C2"
        );
    }
}
