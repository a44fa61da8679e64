"""The house rules, read from the source with ``ast``: no import cycle anywhere in synthdoc (module-level and
function-level imports both count), writers/ and ocr/ do not import each other, every function is under 80
lines, and the registries find what a new file registers."""
from __future__ import annotations

import ast
import sys
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent.parent / "synthdoc"
MAX_FUNCTION_LINES = 80



def _modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package (a package is its __init__.py)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The synthdoc module an imported name lives in (``a.b.c`` -> ``a.b`` when c is an attribute), or None."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the synthdoc modules it imports anywhere in its body (``import`` and ``from ... import``)."""
    graph = {}
    for name, path in modules.items():
        deps = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package
                    for _ in range(node.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                targets = [f"{base}.{a.name}" for a in node.names]  # a submodule, or an attribute of `base`
            else:
                continue
            deps.update(t for t in (_resolve(x, modules) for x in targets) if t)
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10_000))
    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(old)
    return found


def test_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_import_graph_reads_function_level_and_relative_imports(tmp_path):
    pkg = tmp_path / "synthdoc"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("def f():\n    from synthdoc.sub.b import g\n    return g\n")
    (pkg / "sub" / "b.py").write_text("from . import a\nfrom .a import f as _f\n")
    graph = import_graph(_modules(pkg))
    assert graph["synthdoc.sub.a"] == {"synthdoc.sub.b"}
    assert graph["synthdoc.sub.b"] == {"synthdoc.sub.a"}
    assert cycles(graph) == [["synthdoc.sub.a", "synthdoc.sub.b"]]


def test_no_import_cycle_anywhere():
    graph = import_graph(_modules())
    assert len(graph) > 50 and "synthdoc.ocr.engine" in graph["synthdoc.ocr.ppocr"]
    assert cycles(graph) == []


def test_writers_and_ocr_do_not_import_each_other():
    graph = import_graph(_modules())
    crossing = [(m, d) for m, deps in graph.items() for d in deps
                if (m.startswith("synthdoc.writers") and d.startswith("synthdoc.ocr"))
                or (m.startswith("synthdoc.ocr") and d.startswith("synthdoc.writers"))]
    assert crossing == []


def test_no_function_is_80_lines_or_longer():
    long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines >= MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(PACKAGE.parent).as_posix()}::{node.name}"] = lines
    assert long == {}, long


def test_version_is_written_once():
    """``__version__`` is assigned only in synthdoc/_version.py; pyproject reads it from there (hatch)."""
    import synthdoc
    from synthdoc import _version

    assigned = [path.relative_to(PACKAGE.parent).as_posix() for path in sorted(PACKAGE.rglob("*.py"))
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets)]
    assert assigned == ["synthdoc/_version.py"]
    assert synthdoc.__version__ == _version.__version__
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and '[tool.hatch.version]\npath = "synthdoc/_version.py"' in pyproject
    assert "\nversion = " not in pyproject.split("[tool.")[0]  # no second, static version in [project]
