//! Guards the layering of `src/`: no import cycle between its top-level
//! modules, and the worker (thread, loop, settings) is imported only by the
//! napi binding. Reads the sources, so a new `use crate::...` that breaks
//! the layering fails here, not in review.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every source file under `src/` that is not a test file: its path
/// relative to `src/` and its non-test code (unit tests may reach anywhere).
fn non_test_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let is_test =
                rel.contains("/tests") || rel.contains("tests_") || rel.ends_with("tests.rs");
            if !rel.ends_with(".rs") || is_test {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap().to_string();
            files.push((rel, code));
        }
    }
    files
}

/// Top-level module -> the top-level modules its non-test code names.
fn module_graph() -> Graph {
    let mut graph = Graph::new();
    for (rel, code) in non_test_sources() {
        if rel == "lib.rs" {
            continue;
        }
        let top = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let deps = graph.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                deps.insert(name);
            }
        }
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| known.contains(d));
    }
    graph
}

/// A cycle through `start`, if any (depth-first search).
fn cycle_from(graph: &Graph, start: &str) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        node: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in &graph[node] {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(graph, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    visit(graph, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn src_modules_form_no_import_cycle() {
    let graph = module_graph();
    assert!(graph.contains_key("sfu") && graph.contains_key("ids"));
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module) {
            panic!("import cycle: {} -> {module}", cycle.join(" -> "));
        }
    }
}

#[test]
fn worker_is_imported_only_by_the_napi_binding() {
    let graph = module_graph();
    let importers: Vec<&String> = graph
        .iter()
        .filter(|(_, deps)| deps.contains("worker"))
        .map(|(m, _)| m)
        .collect();
    assert_eq!(importers, vec!["napi"]);
}

#[test]
fn shared_types_sit_at_the_bottom() {
    let graph = module_graph();
    for bottom in ["ids", "error", "json_out", "json_in"] {
        assert!(
            graph[bottom].is_empty(),
            "{bottom} imports {:?}",
            graph[bottom]
        );
    }
    for module in ["channel", "certificate"] {
        assert!(
            graph[module]
                .iter()
                .all(|d| d == "error" || d == "json_out"),
            "{module} imports {:?}",
            graph[module]
        );
    }
}

/// JSON values (`serde_json::Value`, `json!`) appear in no non-test code
/// below the boundary: requests are read into typed bodies by `request`
/// (and `napi` hands JS values over), and replies are Serialize structs.
#[test]
fn json_values_stay_out_of_the_core() {
    let mut offenders: Vec<String> = non_test_sources()
        .into_iter()
        .filter(|(rel, code)| {
            !rel.starts_with("napi/")
                && (code.contains("serde_json::Value")
                    || code.contains("serde_json::{")
                    || code.contains("json!(")
                    || code.contains("serde_json::to_value")
                    || code.contains("serde_json::from_value"))
        })
        .map(|(rel, _)| rel)
        .collect();
    offenders.sort();
    assert!(offenders.is_empty(), "JSON values in {offenders:?}");
}
