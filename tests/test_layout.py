"""The import rules of pain_diary/, read from the source with ``ast`` (nothing is imported).

Every import counts, also one inside a function or under ``if TYPE_CHECKING:``: a lazy import
is still a dependency, and one written only to dodge a cycle hides the cycle instead of
removing it. ``from .x import y`` imports ``x``, and ``x.y`` too when that is a module;
``from . import y`` inside a package imports only ``y`` when ``y`` is a module (the package
itself is already initialised before any of its modules runs).

The rules (issue 10): no import cycle between modules; a feature package's ``models`` is
imported only from inside that package, from ``pain_diary/__init__.py`` and (outside this
tree) the migrations and the tests; no module over 300 lines.
The demo is not exempt: it is a client of the packages like any other, and writing through
their collections and public functions is what makes its data pass the rules real input
passes. The one shared model module is ``sync.models``, the record base every feature's
``models.py`` extends; other modules reach the kernel through ``sync``'s public functions.
"""

import ast
from collections import deque
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pain_diary"
FEATURES = ("accounts", "records", "medications", "care", "insights", "web", "demo", "sync",
            "reminders")  # fmt: skip
RECORD_BASE = "pain_diary.sync.models"
MAX_LINES = 300


def module_files():
    """Each module of pain_diary by dotted name, with its file."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def imports_of(name, path, modules):
    """(imported module, line) for each pain_diary module that ``name`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name in modules]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
            found += [(module, node.lineno) for module in submodules]
            own_package = name == base or name.startswith(base + ".")
            if base in modules and not (own_package and len(submodules) == len(node.names)):
                found.append((base, node.lineno))
    return [(module, line) for module, line in found if module != name]


def import_graph():
    """Module -> {imported module: the file and line of the first such import}."""
    modules = module_files()
    graph = {}
    for name, path in modules.items():
        edges = graph.setdefault(name, {})
        for module, line in imports_of(name, path, modules):
            edges.setdefault(module, f"{path.relative_to(PACKAGE.parent)}:{line}")
    return graph


def strongly_connected(graph):
    """The strongly connected components of ``graph`` (Tarjan), each a set of nodes."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while node not in component:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def find_cycles(graph):
    """One shortest cycle per group of mutually importing nodes, each as [a, b, ...] (a→b→…→a)."""
    cycles = []
    for component in strongly_connected(graph):
        start = min(component)
        if len(component) == 1 and start not in graph.get(start, ()):
            continue
        came_from, queue = {start: None}, deque([start])
        while queue:
            node = queue.popleft()
            if start in graph.get(node, ()):
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                cycles.append(path[::-1])
                break
            for target in sorted(set(graph.get(node, ())) & component - came_from.keys()):
                came_from[target] = node
                queue.append(target)
    return sorted(cycles)


def test_find_cycles_finds_a_three_module_cycle_and_nothing_in_a_tree():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": set()}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
    assert find_cycles({"a": {"a"}}) == [["a"]]


def test_relative_and_lazy_imports_are_resolved_to_modules(tmp_path):
    source = tmp_path / "routes.py"
    source.write_text(
        "from . import schemas\n"
        "from ..sync.store import load_body\n"
        "def view():\n"
        "    from ..care import access, readable_patient\n"
    )
    modules = dict.fromkeys(
        ["pain_diary.records", "pain_diary.records.schemas", "pain_diary.sync",
         "pain_diary.sync.store", "pain_diary.care", "pain_diary.care.access"], tmp_path
    )  # fmt: skip
    modules["pain_diary.records.routes"] = source
    assert sorted(imports_of("pain_diary.records.routes", source, modules)) == [
        ("pain_diary.care", 4),  # readable_patient comes from the package itself
        ("pain_diary.care.access", 4),
        ("pain_diary.records.schemas", 1),
        ("pain_diary.sync.store", 2),
    ]


def test_no_module_of_pain_diary_is_part_of_an_import_cycle():
    graph = import_graph()
    report = []
    for cycle in find_cycles(graph):
        steps = zip(cycle, cycle[1:] + cycle[:1], strict=True)
        report.append(" -> ".join(f"{a} ({graph[a][b]})" for a, b in steps) + f" -> {cycle[0]}")
    assert not report, "import cycles (module (where it imports the next)):\n" + "\n".join(report)


def feature_models(module):
    """The feature package whose models ``module`` is (``models.py`` or inside ``models/``)."""
    parts = module.split(".")
    is_models = len(parts) >= 3 and parts[0] == "pain_diary" and parts[2] == "models"
    return parts[1] if is_models and parts[1] in FEATURES else None


def models_import_allowed(importer, models):
    package = f"pain_diary.{feature_models(models)}"
    if importer in ("pain_diary", package) or importer.startswith(package + "."):
        return True
    return models == RECORD_BASE and feature_models(importer) is not None


def test_no_feature_package_imports_another_feature_packages_models():
    graph = import_graph()
    offending = [
        f"{where}: {importer} imports {target}"
        for importer, edges in sorted(graph.items())
        for target, where in sorted(edges.items())
        if feature_models(target) and not models_import_allowed(importer, target)
    ]
    assert not offending, "imports of another package's models:\n" + "\n".join(offending)


def test_no_module_of_pain_diary_is_over_300_lines():
    lengths = {path: len(path.read_text().splitlines()) for path in module_files().values()}
    over = [
        f"{path.relative_to(PACKAGE.parent)}: {lines} lines"
        for path, lines in lengths.items()
        if lines > MAX_LINES
    ]
    assert not over, f"modules over {MAX_LINES} lines:\n" + "\n".join(over)
