//! Dependencies run one way: the layer table in `src/lib.rs`'s documentation is the rule, and
//! this test holds every `crate::`, `super::` and `self::` path in `src/` to it.
//!
//! Two checks:
//! 1. A module may use modules of lower layers only (not its own layer, not above), and every
//!    top-level module of `lib.rs` has a layer.
//! 2. Inside any module, its sub-modules do not use each other in a cycle.
//!
//! Paths are resolved for real (comments and string literals removed first, inline `mod x { }`
//! blocks such as `mod tests` tracked), test code included: a test that needs a higher layer
//! belongs to that layer. What is not followed: a path through a parent's re-export
//! (`super::Dataset` where `mod.rs` says `pub use dataset::Dataset`) counts as a use of the
//! parent, not of the sub-module that defines the item.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// The table: module name → layer, from the `//! | N | [`a`], [`b`] | ... |` rows of lib.rs.
fn layer_table(lib_rs: &str) -> BTreeMap<String, u32> {
    let mut table = BTreeMap::new();
    for line in lib_rs.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            continue;
        };
        let mut cells = row.split('|');
        let Some(Ok(layer)) = cells.next().map(|c| c.trim().parse::<u32>()) else {
            continue;
        };
        let modules = cells.next().unwrap_or("");
        for name in modules.split(',') {
            let name = name.trim().trim_start_matches("[`").trim_end_matches("`]");
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "lib.rs layer {layer}: cannot read module name {name:?}"
            );
            let previous = table.insert(name.to_string(), layer);
            assert!(previous.is_none(), "lib.rs: {name} is in two layers");
        }
    }
    table
}

/// `pub mod x;` / `mod x;` declarations at the top of lib.rs.
fn lib_modules(lib_rs: &str) -> BTreeSet<String> {
    lib_rs
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(str::to_string)
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/cog/read.rs` → `[cog, read]`, `src/cog/mod.rs` → `[cog]`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(SRC).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// The source with comments, string and char literals blanked (newlines kept), so that the
/// braces and paths left are code.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, s: &[u8]| {
        for &c in s {
            out.push(if c == b'\n' { '\n' } else { ' ' });
        }
    };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let prev_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if c == b'/' && next == Some(b'/') {
            let end = src[i..].find('\n').map_or(b.len(), |n| i + n);
            blank(&mut out, &b[i..end]);
            i = end;
        } else if c == b'/' && next == Some(b'*') {
            let mut depth = 0;
            let mut j = i;
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &b[i..j]);
            i = j;
        } else if c == b'r' && !prev_ident && matches!(next, Some(b'#') | Some(b'"')) {
            // raw string r"..." / r#"..."#
            let hashes = b[i + 1..].iter().take_while(|&&h| h == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let body = i + 2 + hashes;
            let end = b[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |p| body + p + close.len());
            blank(&mut out, &b[i..end]);
            i = end;
        } else if c == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            blank(&mut out, &b[i..end]);
            i = end;
        } else if c == b'\'' {
            // a char literal ('x', '\n', '\u{..}', '{') or a lifetime ('a)
            let end = if next == Some(b'\\') {
                b[i + 2..]
                    .iter()
                    .position(|&q| q == b'\'')
                    .map(|p| i + 2 + p + 1)
            } else {
                let ch_len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + ch_len) == Some(&b'\'')).then_some(i + 2 + ch_len)
            };
            match end {
                Some(end) => {
                    blank(&mut out, &b[i..end]);
                    i = end;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn ident_at(s: &[u8], i: usize) -> Option<(String, usize)> {
    let start = i;
    let mut j = i;
    while j < s.len() && (s[j].is_ascii_alphanumeric() || s[j] == b'_') {
        j += 1;
    }
    (j > start).then(|| (String::from_utf8_lossy(&s[start..j]).into_owned(), j))
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Every path in `code` that starts at `crate`, `super` or `self`, resolved to an absolute
/// module path (`file_module` is where the file sits; inline `mod x {` blocks nest inside it).
/// Grouped imports (`use crate::{a::X, b}`) give one path per member.
fn resolved_paths(code: &str, file_module: &[String]) -> Vec<Vec<String>> {
    let s = code.as_bytes();
    let mut out = Vec::new();
    // (module name, brace depth at which its block closes)
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'{' => {
                depth += 1;
                i += 1;
                continue;
            }
            b'}' => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
                continue;
            }
            _ => {}
        }
        let boundary =
            i == 0 || !(s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_' || s[i - 1] == b'$');
        let Some((word, end)) = boundary.then(|| ident_at(s, i)).flatten() else {
            i += 1;
            continue;
        };
        if word == "mod" {
            let j = skip_ws(s, end);
            if let Some((name, after)) = ident_at(s, j) {
                let k = skip_ws(s, after);
                if s.get(k) == Some(&b'{') {
                    depth += 1;
                    inline.push((name, depth));
                    i = k + 1;
                    continue;
                }
            }
        }
        if matches!(word.as_str(), "crate" | "super" | "self") && s[end..].starts_with(b"::") {
            let here: Vec<String> = file_module
                .iter()
                .cloned()
                .chain(inline.iter().map(|(n, _)| n.clone()))
                .collect();
            let (paths, next) = parse_path(s, i, &here);
            out.extend(paths);
            i = next;
            continue;
        }
        i = end;
    }
    out
}

/// Parses the path starting at `s[i]` (`crate::a::{b, c::d}`), resolving a leading `crate`,
/// `self` or chain of `super` against module `here`. Returns the paths and where parsing
/// stopped. Members of a group are parsed with an empty `here`: they continue the base.
fn parse_path(s: &[u8], i: usize, here: &[String]) -> (Vec<Vec<String>>, usize) {
    let mut base: Vec<String> = Vec::new();
    let mut leading = true;
    let mut j = i;
    loop {
        j = skip_ws(s, j);
        if s.get(j) == Some(&b'{') {
            let mut out = Vec::new();
            j += 1;
            loop {
                j = skip_ws(s, j);
                match s.get(j) {
                    None => return (out, j),
                    Some(b'}') => return (out, j + 1),
                    Some(_) => {
                        let (members, next) = parse_path(s, j, &[]);
                        for m in members {
                            out.push(base.iter().cloned().chain(m).collect());
                        }
                        // a `,` or a `*` is not a path: step over it
                        j = if next > j { next } else { j + 1 };
                    }
                }
            }
        }
        let Some((seg, end)) = ident_at(s, j) else {
            // `use a::*`, or no path at all (a `,` in a group)
            return (if j == i { vec![] } else { vec![base] }, j);
        };
        match seg.as_str() {
            "crate" if j == i => {
                base.clear();
                leading = false;
            }
            "self" if j == i => {
                base = here.to_vec();
                leading = false;
            }
            "super" if leading => {
                if j == i {
                    base = here.to_vec();
                }
                base.pop();
            }
            _ => {
                leading = false;
                base.push(seg);
            }
        }
        j = end;
        if s[j..].starts_with(b"::") {
            j += 2;
        } else {
            return (vec![base], j);
        }
    }
}

struct Use {
    file: PathBuf,
    from: Vec<String>,
    to: Vec<String>,
}

fn all_uses() -> (Vec<Use>, BTreeSet<Vec<String>>) {
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    files.sort();
    let mut modules = BTreeSet::new();
    let mut macros: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut sources = Vec::new();
    for file in files {
        let module = module_path(&file);
        // the binary (main.rs, cli/) uses the library as `cogtiler::`, from above every layer
        if module
            .first()
            .is_none_or(|m| m == "main" || m == "lib" || m == "cli")
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // `#[macro_export]` macros live at the crate root: `crate::name!` means their module
        let mut lines = text.lines();
        while let Some(l) = lines.next() {
            if l.trim() == "#[macro_export]" {
                if let Some(name) = lines
                    .next()
                    .and_then(|n| n.trim().strip_prefix("macro_rules! "))
                {
                    let name = name.trim_end_matches(['{', ' ']).to_string();
                    macros.insert(name, module[..1].to_vec());
                }
            }
        }
        for k in 1..=module.len() {
            modules.insert(module[..k].to_vec());
        }
        sources.push((file, module, code_only(&text)));
    }
    let mut uses = Vec::new();
    for (file, module, code) in sources {
        for mut to in resolved_paths(&code, &module) {
            if let Some(m) = to.first().and_then(|n| macros.get(n)) {
                to = m.clone();
            }
            uses.push(Use {
                file: file.clone(),
                from: module.clone(),
                to,
            });
        }
    }
    (uses, modules)
}

#[test]
fn every_module_has_a_layer() {
    let lib = std::fs::read_to_string(format!("{SRC}/lib.rs")).unwrap();
    let table = layer_table(&lib);
    assert!(table.len() >= 10, "lib.rs layer table not found: {table:?}");
    let declared = lib_modules(&lib);
    let missing: Vec<_> = declared
        .iter()
        .filter(|m| !table.contains_key(*m))
        .collect();
    assert!(
        missing.is_empty(),
        "modules with no row in lib.rs's layer table: {missing:?}; add them to the table"
    );
    let stale: Vec<_> = table.keys().filter(|m| !declared.contains(*m)).collect();
    assert!(
        stale.is_empty(),
        "layer table names unknown modules: {stale:?}"
    );
}

#[test]
fn modules_use_only_lower_layers() {
    let lib = std::fs::read_to_string(format!("{SRC}/lib.rs")).unwrap();
    let table = layer_table(&lib);
    let (uses, _) = all_uses();
    assert!(
        uses.len() > 500,
        "too few paths found ({}): is the parser broken?",
        uses.len()
    );
    let mut bad = BTreeSet::new();
    for u in &uses {
        let (Some(from), Some(to)) = (u.from.first(), u.to.first()) else {
            continue;
        };
        if from == to {
            continue;
        }
        let (Some(lf), Some(lt)) = (table.get(from), table.get(to)) else {
            // an item at the crate root that is not a module (none today) is not a layer
            continue;
        };
        if lt >= lf {
            bad.insert(format!(
                "{}: {from} (layer {lf}) uses {} (layer {lt})",
                u.file.strip_prefix(SRC).unwrap().display(),
                u.to.join("::")
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "imports the layer table in src/lib.rs does not allow:\n{}",
        bad.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn sub_modules_do_not_use_each_other_in_a_cycle() {
    let (uses, modules) = all_uses();
    // scope (a module) → sibling sub-module → sub-modules it uses
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for u in &uses {
        let common = u.from.iter().zip(&u.to).take_while(|(a, b)| a == b).count();
        if common == 0 || common >= u.from.len() || common >= u.to.len() {
            continue;
        }
        let target = u.to[..=common].to_vec();
        if !modules.contains(&target) {
            continue; // an item re-exported by the scope, or an inline module's item
        }
        graphs
            .entry(u.from[..common].to_vec())
            .or_default()
            .entry(u.from[common].clone())
            .or_default()
            .insert(u.to[common].clone());
    }
    let mut cycles = Vec::new();
    for (scope, graph) in &graphs {
        for start in graph.keys() {
            // a path from `start` back to itself, through siblings
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((node, path)) = stack.pop() {
                for next in graph.get(&node).into_iter().flatten() {
                    if next == start {
                        let mut cycle = path.clone();
                        cycle.push(start.clone());
                        cycles.push(format!("{}: {}", scope.join("::"), cycle.join(" → ")));
                    } else if seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push((next.clone(), p));
                    }
                }
            }
        }
    }
    cycles.sort();
    cycles.dedup();
    assert!(
        cycles.is_empty(),
        "sub-module cycles:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_parser_sees_through_literals_and_groups() {
    let code = code_only(
        "use crate::{cog::{Cog, X}, io};\n// crate::server\nlet s = \"crate::render\";\n\
         let c = '{'; fn f<'a>() {}\nmod tests { use super::super::warp::Y; }\n\
         let r = r#\"crate::tms {\"#;",
    );
    let here = vec!["reader".to_string(), "read".to_string()];
    let got: Vec<String> = resolved_paths(&code, &here)
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        got,
        ["cog::Cog", "cog::X", "io", "reader::warp::Y"],
        "{code}"
    );
}
