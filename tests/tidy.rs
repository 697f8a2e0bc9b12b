//! Tidy: holds the code to the shape ARCHITECTURE.md describes.
//!
//! - Layers: the fenced `layers` block of ARCHITECTURE.md orders the modules of a scope (the
//!   crate's top-level modules, or the files and folders of one folder such as src/local), lowest
//!   first. A module may import only modules on a lower rank than its own.
//! - No import circle between the files of src/ (a folder's `mod.rs` declaring and re-exporting
//!   its children does not count as importing them; anything else it uses does).
//! - No non-test source file passes 900 lines.
//! - No `unsafe`, `todo!` or `dbg!` in src/.
//!
//! Every rule is a pure function over a source tree, tested on small synthetic trees below, so a
//! rule that stopped catching its violation would fail here too.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 900;

/// One source file: its module path (`["local", "store", "users"]`) and its text.
struct SourceFile {
    rel: String,
    module: Vec<String>,
    text: String,
    is_mod_root: bool,
}

fn read_tree(src: &Path) -> Vec<SourceFile> {
    let mut out = Vec::new();
    walk(src, src, &mut out);
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under root");
            let mut module: Vec<String> = rel
                .iter()
                .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            let last = module.last().cloned().unwrap_or_default();
            let is_mod_root =
                last == "mod" || (module.len() == 1 && (last == "lib" || last == "main"));
            if last == "mod" || (module.len() == 1 && last == "lib") {
                module.pop();
            }
            out.push(SourceFile {
                rel: rel.to_string_lossy().replace('\\', "/"),
                module,
                text: fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("read {}: {e}", path.display())),
                is_mod_root,
            });
        }
    }
}

/// The text without comments and string literals, so that a word in a doc comment or a message
/// is not taken for code. Line structure is kept.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == b'r'
            && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
            && !prev_is_ident(b, i)
        {
            // Raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(c as char);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == b'"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&b'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == b'\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A char literal like 'x' (lifetimes have no closing quote two bytes on).
            out.push_str("' '");
            i += 3;
        } else if c == b'\'' && b.get(i + 1) == Some(&b'\\') {
            let mut j = i + 2;
            while j < b.len() && b[j] != b'\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else {
            // Copy one UTF-8 character.
            let ch = text[i..].chars().next().expect("char");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The code without its inline `#[cfg(test)] mod name { .. }` blocks: inside them `super` is the
/// file itself, and tests may reach anywhere.
fn without_test_modules(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_inline_mod = trimmed.starts_with("mod ")
            && trimmed
                .find('{')
                .is_some_and(|b| trimmed.find(';').is_none_or(|s| b < s));
        if !is_inline_mod {
            out.push_str(&rest[..at + "#[cfg(test)]".len()]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..at]);
        let open = at
            + "#[cfg(test)]".len()
            + (after.len() - trimmed.len())
            + trimmed.find('{').unwrap_or(0);
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        // Keep the line count so later line numbers stay right.
        out.extend(rest[at..end].chars().filter(|&c| c == '\n'));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// What a piece of code names: its `use` items (the path and the name it binds) and the other
/// paths written inline (`crate::srp::to_hex(..)`, `store::open()`), as segments.
#[derive(Default)]
struct Named {
    uses: Vec<(Vec<String>, String)>,
    /// `pub use` items: what a facade re-exports.
    pub_uses: Vec<(Vec<String>, String)>,
    inline: Vec<Vec<String>>,
}

fn named_paths(code: &str) -> Named {
    let mut out = Named::default();
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !is_ident_byte(b[i]) || (i > 0 && (is_ident_byte(b[i - 1]) || b[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_ident_byte(b[i]) {
            i += 1;
        }
        let word = &code[start..i];
        if word == "use" {
            let end = code[i..].find(';').map_or(b.len(), |e| i + e);
            let line_start = code[..start].rfind('\n').map_or(0, |n| n + 1);
            let is_pub = code[line_start..start].trim_start().starts_with("pub");
            let mut items = Vec::new();
            expand_use(code[i..end].trim(), &mut Vec::new(), &mut items);
            if is_pub {
                out.pub_uses.extend(items);
            } else {
                out.uses.extend(items);
            }
            i = end;
        } else if code[i..].starts_with("::") {
            let mut path = vec![word.to_string()];
            let mut j = i;
            while code[j..].starts_with("::") {
                let s = j + 2;
                let mut e = s;
                while e < b.len() && is_ident_byte(b[e]) {
                    e += 1;
                }
                if e == s {
                    break;
                }
                path.push(code[s..e].to_string());
                j = e;
            }
            out.inline.push(path);
            i = j;
        }
    }
    out
}

/// Expands a `use` tree into (path, bound name) items: `a::{b, c::d as e}` gives
/// (`a::b`, `b`) and (`a::c::d`, `e`). A glob binds no name.
fn expand_use(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    let tree = tree.trim().trim_start_matches("::");
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let close = tree.rfind('}').unwrap_or(tree.len());
        let inner = &tree[open + 1..close.max(open + 1)];
        let depth = prefix.len();
        prefix.extend(head);
        for part in split_top(inner) {
            expand_use(part, prefix, out);
        }
        prefix.truncate(depth);
    } else {
        let mut halves = tree.split(" as ");
        let name = halves.next().unwrap_or("").trim();
        let alias = halves.next().map(str::trim);
        let mut path = prefix.clone();
        path.extend(
            name.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        let glob = path.last().is_some_and(|s| s == "*");
        if glob {
            path.pop();
        }
        let bound = match (alias, path.last()) {
            _ if glob => String::new(),
            (Some(a), _) => a.to_string(),
            (None, Some(last)) if last == "self" => path
                .get(path.len().wrapping_sub(2))
                .cloned()
                .unwrap_or_default(),
            (None, Some(last)) => last.clone(),
            (None, None) => String::new(),
        };
        if path.last().is_some_and(|s| s == "self") {
            path.pop();
        }
        if !path.is_empty() {
            out.push((path, bound));
        }
    }
}

fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Module paths → file index, and what each facade (`mod.rs`, `lib.rs`) re-exports.
struct Modules<'a> {
    by_module: BTreeMap<&'a [String], usize>,
    reexports: BTreeMap<usize, BTreeMap<String, Vec<String>>>,
}

impl Modules<'_> {
    /// The file a written path lands in, following a facade's `pub use` to the file that
    /// defines the name.
    fn resolve(&self, mut abs: Vec<String>) -> Option<usize> {
        for _ in 0..8 {
            let (n, file) = (1..=abs.len())
                .rev()
                .find_map(|n| self.by_module.get(&abs[..n]).map(|&f| (n, f)))?;
            let Some(next) = abs.get(n) else {
                return Some(file);
            };
            match self.reexports.get(&file).and_then(|r| r.get(next)) {
                Some(target) if *target != abs[..=n] => {
                    abs = target.iter().chain(&abs[n + 1..]).cloned().collect();
                }
                _ => return Some(file),
            }
        }
        None
    }
}

/// Where a written path points, from inside module `own`: `crate::`, `super::`, `self::`, a name
/// bound by a `use` of this file, or a child module of this one. Anything else (std, a crate) is
/// outside the tree.
fn absolute(
    own: &[String],
    path: &[String],
    aliases: &BTreeMap<String, Vec<String>>,
    by_module: &BTreeMap<&[String], usize>,
) -> Option<Vec<String>> {
    let first = path.first()?.as_str();
    match first {
        "crate" | "cognito_tui" => Some(path[1..].to_vec()),
        "self" => Some(own.iter().chain(&path[1..]).cloned().collect()),
        "super" => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let base = own.get(..own.len().checked_sub(ups)?)?;
            Some(base.iter().chain(&path[ups..]).cloned().collect())
        }
        _ => {
            if let Some(target) = aliases.get(first) {
                return Some(target.iter().chain(&path[1..]).cloned().collect());
            }
            let child: Vec<String> = own.iter().cloned().chain([first.to_string()]).collect();
            by_module
                .contains_key(child.as_slice())
                .then(|| own.iter().chain(path).cloned().collect())
        }
    }
}

/// The file-level import graph: file index → the files whose items it names.
fn import_graph(files: &[SourceFile]) -> Vec<BTreeSet<usize>> {
    let by_module: BTreeMap<&[String], usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.rel != "main.rs")
        .map(|(i, f)| (f.module.as_slice(), i))
        .collect();
    let own_of = |f: &SourceFile| -> Vec<String> {
        if f.rel == "main.rs" {
            Vec::new()
        } else {
            f.module.clone()
        }
    };
    let named: Vec<Named> = files
        .iter()
        .map(|f| named_paths(&without_test_modules(&code_only(&f.text))))
        .collect();
    let mut reexports = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        if !f.is_mod_root {
            continue;
        }
        let own = own_of(f);
        let table: BTreeMap<String, Vec<String>> = named[i]
            .pub_uses
            .iter()
            .filter(|(_, bound)| !bound.is_empty())
            .filter_map(|(p, bound)| {
                Some((
                    bound.clone(),
                    absolute(&own, p, &BTreeMap::new(), &by_module)?,
                ))
            })
            .collect();
        reexports.insert(i, table);
    }
    let modules = Modules {
        by_module,
        reexports,
    };
    let mut graph = vec![BTreeSet::new(); files.len()];
    for (i, f) in files.iter().enumerate() {
        let own = own_of(f);
        let n = &named[i];
        let mut aliases = BTreeMap::new();
        for (p, bound) in n.uses.iter().chain(&n.pub_uses) {
            if let Some(abs) = absolute(&own, p, &BTreeMap::new(), &modules.by_module)
                && !bound.is_empty()
            {
                aliases.insert(bound.clone(), abs);
            }
        }
        // A facade's `pub use` of its own children is structure, not a use; any other path it
        // names is a use like anywhere else.
        let own_children =
            |abs: &[String]| f.is_mod_root && abs.len() > own.len() && abs[..own.len()] == own[..];
        let mut targets = Vec::new();
        for (p, _) in &n.pub_uses {
            if let Some(abs) = absolute(&own, p, &BTreeMap::new(), &modules.by_module)
                && !own_children(&abs)
            {
                targets.push(abs);
            }
        }
        for (p, _) in &n.uses {
            targets.extend(absolute(&own, p, &BTreeMap::new(), &modules.by_module));
        }
        for p in &n.inline {
            targets.extend(absolute(&own, p, &aliases, &modules.by_module));
        }
        for abs in targets {
            if let Some(t) = modules.resolve(abs)
                && t != i
            {
                graph[i].insert(t);
            }
        }
    }
    graph
}

/// Circles in the file graph, each as the list of its files (strongly connected components of
/// more than one file).
fn circles(files: &[SourceFile], graph: &[BTreeSet<usize>]) -> Vec<Vec<String>> {
    // Tarjan's algorithm, iterative enough for a few hundred files.
    struct T<'a> {
        g: &'a [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(t: &mut T, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        for &w in t.g[v].clone().iter() {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(iw) if t.on[w] => t.low[v] = t.low[v].min(iw),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().expect("stack");
                t.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                t.out.push(comp);
            }
        }
    }
    let n = graph.len();
    let mut t = T {
        g: graph,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    let mut out: Vec<Vec<String>> = t
        .out
        .into_iter()
        .map(|c| {
            let mut names: Vec<String> = c.into_iter().map(|i| files[i].rel.clone()).collect();
            names.sort();
            names
        })
        .collect();
    out.sort();
    out
}

/// One scope of the `layers` block: `local: error policy < store < ops_*`.
#[derive(Debug)]
struct Scope {
    /// The folder under src/ (`""` for the crate's top-level modules).
    folder: Vec<String>,
    /// Rank of each unit pattern (a name, or a prefix ending in `*`).
    ranks: Vec<(String, usize)>,
}

impl Scope {
    fn rank(&self, unit: &str) -> Option<usize> {
        self.ranks.iter().find_map(|(pat, r)| {
            let hit = match pat.strip_suffix('*') {
                Some(prefix) => unit.starts_with(prefix),
                None => pat == unit,
            };
            hit.then_some(*r)
        })
    }
}

fn parse_layers(architecture: &str) -> Result<Vec<Scope>, String> {
    let start = architecture
        .find("```layers")
        .ok_or("ARCHITECTURE.md has no ```layers block")?;
    let body = &architecture[start + "```layers".len()..];
    let end = body
        .find("```")
        .ok_or("the ```layers block is not closed")?;
    let mut scopes = Vec::new();
    for line in body[..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (name, order) = line
            .split_once(':')
            .ok_or_else(|| format!("layers line without `scope:`: {line}"))?;
        let folder: Vec<String> = if name.trim() == "crate" {
            Vec::new()
        } else {
            name.trim().split('/').map(String::from).collect()
        };
        let ranks = order
            .split('<')
            .enumerate()
            .flat_map(|(r, group)| group.split_whitespace().map(move |u| (u.to_string(), r)))
            .collect();
        scopes.push(Scope { folder, ranks });
    }
    Ok(scopes)
}

/// The unit a module belongs to within a scope folder: the first segment under the folder
/// (`mod` for the folder's own mod.rs, `main` for src/main.rs).
fn unit_of(folder: &[String], f: &SourceFile) -> Option<String> {
    if folder.is_empty() && f.rel == "main.rs" {
        return Some("main".into());
    }
    if folder.is_empty() && f.rel == "lib.rs" {
        return None;
    }
    if f.module.len() < folder.len() || f.module[..folder.len()] != *folder {
        return None;
    }
    Some(
        f.module
            .get(folder.len())
            .cloned()
            .unwrap_or_else(|| "mod".into()),
    )
}

fn layer_violations(
    files: &[SourceFile],
    graph: &[BTreeSet<usize>],
    scopes: &[Scope],
) -> Vec<String> {
    let mut problems = Vec::new();
    for scope in scopes {
        for (i, f) in files.iter().enumerate() {
            if is_test_file(f) {
                continue;
            }
            let Some(unit) = unit_of(&scope.folder, f) else {
                continue;
            };
            // A folder's own mod.rs may name its children (it is the facade) unless placed.
            let Some(own_rank) = scope.rank(&unit) else {
                if unit != "mod" {
                    problems.push(format!(
                        "src/{}: `{unit}` is not placed in the `{}` line of ARCHITECTURE.md's layers",
                        f.rel,
                        scope_name(scope)
                    ));
                }
                continue;
            };
            for &t in &graph[i] {
                let Some(target) = unit_of(&scope.folder, &files[t]) else {
                    continue;
                };
                if target == unit {
                    continue;
                }
                let target_rank = scope.rank(&target);
                if target_rank.is_none_or(|r| r >= own_rank) {
                    problems.push(format!(
                        "src/{} (`{unit}`) imports src/{} (`{target}`), which is not below it in the `{}` layers",
                        f.rel,
                        files[t].rel,
                        scope_name(scope)
                    ));
                }
            }
        }
    }
    problems
}

fn scope_name(scope: &Scope) -> String {
    if scope.folder.is_empty() {
        "crate".into()
    } else {
        scope.folder.join("/")
    }
}

fn is_test_file(f: &SourceFile) -> bool {
    let name = f.rel.rsplit('/').next().unwrap_or("");
    name == "tests.rs"
        || name.ends_with("_tests.rs")
        || f.text.trim_start().starts_with("#![cfg(test)]")
}

fn long_files(files: &[SourceFile]) -> Vec<String> {
    files
        .iter()
        .filter(|f| !is_test_file(f))
        .filter_map(|f| {
            let n = f.text.lines().count();
            (n > MAX_LINES).then(|| {
                format!(
                    "src/{}: {n} lines (at most {MAX_LINES} outside tests)",
                    f.rel
                )
            })
        })
        .collect()
}

fn forbidden_words(files: &[SourceFile]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let code = code_only(&f.text);
        for (n, line) in code.lines().enumerate() {
            for word in ["unsafe", "todo!", "dbg!"] {
                let bare = word.trim_end_matches('!');
                let mut from = 0;
                while let Some(at) = line[from..].find(bare) {
                    let s = from + at;
                    let e = s + bare.len();
                    let before_ok = s == 0 || !is_ident_byte(line.as_bytes()[s - 1]);
                    let after = line[e..].trim_start();
                    let after_ok = if word.ends_with('!') {
                        after.starts_with('!')
                    } else {
                        e == line.len() || !is_ident_byte(line.as_bytes()[e])
                    };
                    if before_ok && after_ok {
                        out.push(format!("src/{}:{}: `{word}`", f.rel, n + 1));
                    }
                    from = e;
                }
            }
        }
    }
    out
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn report(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

#[test]
fn modules_import_only_lower_layers() {
    let architecture = fs::read_to_string(repo().join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md at the repository root");
    let scopes = parse_layers(&architecture).expect("layers block");
    let files = read_tree(&repo().join("src"));
    let graph = import_graph(&files);
    report(
        "imports against ARCHITECTURE.md's layers",
        &layer_violations(&files, &graph, &scopes),
    );
}

#[test]
fn no_import_circles_between_files() {
    let files = read_tree(&repo().join("src"));
    let graph = import_graph(&files);
    let index: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.rel.as_str(), i))
        .collect();
    let found: Vec<String> = circles(&files, &graph)
        .into_iter()
        .map(|c| {
            // Name the arrows inside the circle, so whoever breaks it knows where to cut.
            let mut arrows = Vec::new();
            for from in &c {
                for &t in &graph[index[from.as_str()]] {
                    if c.contains(&files[t].rel) {
                        arrows.push(format!("{from} → {}", files[t].rel));
                    }
                }
            }
            format!("{}\n    {}", c.join(" ↔ "), arrows.join("\n    "))
        })
        .collect();
    report("import circles", &found);
}

#[test]
fn no_long_source_files() {
    report(
        "files too long",
        &long_files(&read_tree(&repo().join("src"))),
    );
}

#[test]
fn no_unsafe_todo_or_dbg() {
    report(
        "forbidden in src/",
        &forbidden_words(&read_tree(&repo().join("src"))),
    );
}

#[test]
fn every_module_folder_of_architecture_md_exists() {
    let architecture = fs::read_to_string(repo().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    for scope in parse_layers(&architecture).expect("layers") {
        let dir = repo().join("src").join(scope.folder.join("/"));
        assert!(
            dir.is_dir(),
            "layers name src/{} which does not exist",
            scope.folder.join("/")
        );
    }
}

// ---- the rules on synthetic trees: each must catch its violation ----

fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<SourceFile>) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(&p, text).expect("write");
    }
    let files = read_tree(dir.path());
    (dir, files)
}

const LAYERS: &str = "```layers\ncrate: srp < local < tui\nlocal: store < access < ops_*\n```\n";

#[test]
fn a_shared_layer_importing_an_ops_module_is_caught() {
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod local; pub mod srp; pub mod tui;"),
        ("srp.rs", ""),
        ("tui/mod.rs", "use crate::local::x;"),
        (
            "local/mod.rs",
            "mod access; mod ops_auth; mod store;\npub use ops_auth::sign_in;",
        ),
        ("local/store.rs", "pub fn get() {}"),
        (
            "local/access.rs",
            "use super::{store::get, ops_auth::helper};",
        ),
        (
            "local/ops_auth.rs",
            "use super::access::x;\nuse crate::srp::y;",
        ),
    ]);
    let scopes = parse_layers(LAYERS).unwrap();
    let v = layer_violations(&files, &import_graph(&files), &scopes);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert!(
        v[0].contains("local/access.rs") && v[0].contains("ops_auth"),
        "{v:#?}"
    );
}

#[test]
fn the_ui_imported_below_it_is_caught() {
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod local; pub mod srp; pub mod tui;"),
        ("srp.rs", "pub fn f() { let _ = crate::tui::draw(); }"),
        ("tui/mod.rs", "pub fn draw() {}"),
        (
            "local/mod.rs",
            "// crate::tui in a comment is fine\nconst S: &str = \"crate::tui::x\";",
        ),
    ]);
    let scopes = parse_layers(LAYERS).unwrap();
    let v = layer_violations(&files, &import_graph(&files), &scopes);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert!(
        v[0].starts_with("src/srp.rs (`srp`) imports src/tui/mod.rs"),
        "{v:#?}"
    );
}

#[test]
fn an_unplaced_module_is_caught() {
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod local;"),
        ("local/mod.rs", ""),
        ("local/newthing.rs", ""),
    ]);
    let scopes = parse_layers(LAYERS).unwrap();
    let v = layer_violations(&files, &import_graph(&files), &scopes);
    assert!(
        v.iter().any(|p| p.contains("`newthing` is not placed")),
        "{v:#?}"
    );
}

#[test]
fn circles_are_caught_directly_and_through_others() {
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod tui;"),
        (
            "tui/mod.rs",
            "pub mod app; pub mod screens; pub mod widgets;\npub use app::App;",
        ),
        ("tui/app.rs", "use super::screens::users::UsersState;"),
        ("tui/screens/mod.rs", "pub mod users;"),
        ("tui/screens/users.rs", "use crate::tui::widgets::table;"),
        ("tui/widgets/mod.rs", "pub mod table;"),
        (
            "tui/widgets/table.rs",
            "fn f(a: &super::super::app::App) {}",
        ),
    ]);
    let c = circles(&files, &import_graph(&files));
    assert_eq!(
        c,
        vec![vec![
            "tui/app.rs".to_string(),
            "tui/screens/users.rs".into(),
            "tui/widgets/table.rs".into()
        ]]
    );
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod a; pub mod b;"),
        ("a.rs", "use crate::b::B; pub struct A;"),
        ("b.rs", "pub struct B(crate::a::A);"),
    ]);
    assert_eq!(
        circles(&files, &import_graph(&files)),
        vec![vec!["a.rs".to_string(), "b.rs".into()]]
    );
}

#[test]
fn a_facade_re_exporting_its_children_is_not_a_circle() {
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod local;"),
        (
            "local/mod.rs",
            "mod store;\npub use store::Row;\npub struct Options;",
        ),
        ("local/store.rs", "use super::Options; pub struct Row;"),
    ]);
    assert!(circles(&files, &import_graph(&files)).is_empty());
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod local;"),
        (
            "local/mod.rs",
            "mod store;\npub struct Options;\nfn start() { store::open(); }",
        ),
        ("local/store.rs", "use super::Options; pub fn open() {}"),
    ]);
    assert_eq!(circles(&files, &import_graph(&files)).len(), 1);
}

#[test]
fn long_files_and_forbidden_words_are_caught() {
    let long = "fn f() {}\n".repeat(MAX_LINES + 1);
    let ok = "fn f() {}\n".repeat(MAX_LINES);
    let (_d, files) = tree(&[
        (
            "lib.rs",
            "#![forbid(unsafe_code)]\n// no unsafe here, todo!() in a comment\nconst S: &str = \"dbg!(x)\";",
        ),
        ("long.rs", &long),
        ("fine.rs", &ok),
        ("machine_tests.rs", &long),
        (
            "bad.rs",
            "fn f() { unsafe { g() } }\nfn h() { todo!() }\nfn i() { dbg!(1); }\nfn unsafe_ish() {}",
        ),
    ]);
    assert_eq!(
        long_files(&files),
        vec![format!(
            "src/long.rs: {} lines (at most {MAX_LINES} outside tests)",
            MAX_LINES + 1
        )]
    );
    assert_eq!(
        forbidden_words(&files),
        vec![
            "src/bad.rs:1: `unsafe`",
            "src/bad.rs:2: `todo!`",
            "src/bad.rs:3: `dbg!`"
        ]
    );
}

#[test]
fn an_inline_test_module_is_not_an_import_of_the_parent() {
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod local;"),
        ("local/mod.rs", "mod store;\nfn start() { store::open(); }"),
        (
            "local/store.rs",
            "pub fn open() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::local::start;\n}\nfn after() {}",
        ),
    ]);
    assert!(circles(&files, &import_graph(&files)).is_empty());
}

#[test]
fn re_exports_and_imported_module_names_are_followed() {
    // session.rs names App through the facade's re-export; app.rs names session through a
    // `use` of the screens module: a circle all the same.
    let (_d, files) = tree(&[
        ("lib.rs", "pub mod tui;"),
        (
            "tui/mod.rs",
            "pub mod app; pub mod screens;\npub use app::App;",
        ),
        (
            "tui/app.rs",
            "use super::screens;\npub struct App;\nfn draw() { screens::session::render(); }",
        ),
        ("tui/screens/mod.rs", "pub mod session;"),
        (
            "tui/screens/session.rs",
            "use crate::tui::App;\npub fn render() {}",
        ),
    ]);
    assert_eq!(
        circles(&files, &import_graph(&files)),
        vec![vec![
            "tui/app.rs".to_string(),
            "tui/screens/session.rs".into()
        ]]
    );
}

#[test]
fn use_trees_expand() {
    let mut out = Vec::new();
    expand_use(
        "super::{store::{a, b as c}, access, self, ops::*}",
        &mut Vec::new(),
        &mut out,
    );
    let joined: Vec<String> = out
        .iter()
        .map(|(p, bound)| format!("{} {bound}", p.join("::")))
        .collect();
    assert_eq!(
        joined,
        vec![
            "super::store::a a",
            "super::store::b c",
            "super::access access",
            "super super",
            "super::ops "
        ]
    );
}
