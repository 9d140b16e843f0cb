"""Dependencies point one way: no import cycles in archive/ or index/ (imports inside
functions included), and index/ imports neither Flask nor archive."""

import ast
import subprocess
import sys

from conftest import ROOT

PACKAGES = ("archive", "index")


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _imports(name, path, modules):
    """The project modules a module imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            prefix = base[:len(base) - node.level + 1] if node.level else []
            module = ".".join(prefix + ([node.module] if node.module else []))
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules
                       else module for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def test_no_import_cycles():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    cycles = []

    def visit(node, stack, seen):
        for nxt in sorted(graph[node]):
            if nxt in stack:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in seen:
                seen.add(nxt)
                visit(nxt, stack + [nxt], seen)

    for start in sorted(graph):
        visit(start, [start], {start})
    unique = {" -> ".join(c) for c in cycles}
    assert unique == set()


def test_index_imports_neither_flask_nor_archive():
    code = ("import sys, index.analysis, index.build, index.searching, index.snapshots; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'archive')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_views_and_commands_reach_data_only_through_services():
    """archive/web/ and archive/cli.py import neither the SQL layer (archive.db), nor the
    importer's storage, nor the index's internals: they call the application object's
    services (archive/services/)."""
    modules = _modules()
    forbidden = ("archive.db", "archive.stats", "archive.auth",
                 "archive.jobs", "archive.uploads", "index.build", "index.ranking",
                 "index.internals", "index.generation", "index.searching", "index.themes")
    thin = {name: path for name, path in modules.items()
            if name.startswith("archive.web") or name == "archive.cli"}
    assert len(thin) > 8
    found = {}
    for name, path in thin.items():
        bad = sorted(t for t in _imports(name, path, modules)
                     if any(t == f or t.startswith(f + ".") for f in forbidden))
        source = path.read_text("utf-8")
        calls = [word for word in ("store.", ".db[", ".db.query", ".db.execute", ".private[")
                 if word in source]
        if bad or calls:
            found[name] = bad + calls
    assert found == {}


def test_every_service_is_reachable_from_the_application_object(tmp_path):
    from archive.archive import Archive
    from archive import services
    archive = Archive(tmp_path / "instance")
    try:
        held = {type(v).__name__ for v in vars(archive).values()}
        assert set(services.__all__) <= held
    finally:
        archive.close()


def test_sql_lives_in_the_db_layer_only():
    """Every SQL statement and table access is in archive/db/: services and the importer
    call its functions."""
    import re
    found = {}
    for path in (ROOT / "archive").rglob("*.py"):
        if "db" in path.relative_to(ROOT / "archive").parts[:1]:
            continue
        source = path.read_text("utf-8")
        hits = re.findall(r"\.execute\(|\.query\(|\.executemany\(|\bdb\[\"|private\[\"|"
                          r"\bselect .* from |\binsert into |\bdelete from |\bupdate \w+ set ",
                          source)
        if hits:
            found[str(path.relative_to(ROOT))] = sorted(set(hits))
    assert found == {}
