"""The import rules of pain_diary/, read from the source with ``ast`` (nothing is imported).

Every import counts, also one inside a function or under ``if TYPE_CHECKING:``: a lazy import
is still a dependency, and one written only to dodge a cycle hides the cycle instead of
removing it. ``from .x import y`` imports ``x``, and ``x.y`` too when that is a module;
``from . import y`` inside a package imports only ``y`` when ``y`` is a module (the package
itself is already initialised before any of its modules runs).

The rules (issues 10 and 21):
- no import cycle between modules, nor between packages (a top-level module counts as one);
- the kernel (pain_diary's top-level modules and ``KERNEL_PACKAGES``) imports no feature
  package; ``pain_diary/__init__.py``, the composition root, is exempt from every rule here;
- another package is reached only through its public modules, ``PUBLIC`` (the one list of
  them; the README names them in words), or the package itself;
- a feature package's ``models`` is imported only from inside that package, from
  ``pain_diary/__init__.py`` and (outside this tree) the migrations and the tests;
- no module, and no file of static/js, over 300 lines.
The demo is not exempt: it is a client of the packages like any other, and writing through
their collections and public functions is what makes its data pass the rules real input
passes. The one shared model module is ``sync.models``, the record base every feature's
``models.py`` extends; other modules reach the kernel through ``sync``'s public functions.
"""

import ast
from collections import deque
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pain_diary"
STATIC_JS = PACKAGE.parent / "static" / "js"
RECORD_BASE = "pain_diary.sync.models"
MAX_LINES = 300
#: With pain_diary's top-level modules, the kernel every feature builds on: it imports none.
KERNEL_PACKAGES = ("sync", "analytics", "charts", "fhir")
#: A package whose every module is public: pure code, a module per thing computed.
WHOLE = "every module"
#: The modules of each package that another package may import (the package itself too).
PUBLIC = {
    "sync": ("models", "store", "routes", "registry", "fields"),
    "analytics": WHOLE,
    "charts": WHOLE,
    "fhir": WHOLE,
    "accounts": ("auth", "users", "queries"),
    "care": ("access", "queries", "invitations"),
    "records": ("record_types", "queries", "schemas"),
    "medications": ("record_types", "queries", "collections", "dosage"),
    "insights": ("reading", "diary"),
    "reminders": ("inbox", "vocabulary"),
    "procedures": ("record_types",),
    "activity": ("record_types",),
    "web": (),
    "demo": (),
}
FEATURES = frozenset(PUBLIC) - set(KERNEL_PACKAGES)


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


def described(cycle, graph):
    """``a (where a imports b) -> b (where b imports a) -> a``."""
    steps = zip(cycle, cycle[1:] + cycle[:1], strict=True)
    return " -> ".join(f"{a} ({graph[a][b]})" for a, b in steps) + f" -> {cycle[0]}"


def test_no_module_of_pain_diary_is_part_of_an_import_cycle():
    graph = import_graph()
    report = [described(cycle, graph) for cycle in find_cycles(graph)]
    assert not report, "import cycles (module (where it imports the next)):\n" + "\n".join(report)


def unit_of(module):
    """The package or top-level module of pain_diary that ``module`` is in; None for the root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def package_graph(graph):
    """Package (or top-level module) -> {the one it imports: where it first does}.

    The composition root, pain_diary/__init__.py, is left out: it imports every package.
    """
    packages = {}
    for importer, edges in sorted(graph.items()):
        if (source := unit_of(importer)) is None:
            continue
        targets = packages.setdefault(source, {})
        for target, where in sorted(edges.items()):
            if unit_of(target) not in (None, source):
                targets.setdefault(unit_of(target), where)
    return packages


def kernel_reaches(graph, features):
    """``where: importer imports target`` for each import of a feature package by the kernel."""
    return [
        f"{where}: {importer} imports {target}"
        for importer, edges in sorted(graph.items())
        if unit_of(importer) not in (None, *features)
        for target, where in sorted(edges.items())
        if unit_of(target) in features
    ]


def private_reaches(graph, public):
    """``where: importer imports target`` for each import of a module another package keeps.

    A top-level module (not in ``public``) is public whole; so is a package marked WHOLE.
    """

    def offered(target):
        package, *inside = target.split(".")[1:]
        return not inside or public[package] == WHOLE or inside[0] in public[package]

    return [
        f"{where}: {importer} imports {target}"
        for importer, edges in sorted(graph.items())
        if unit_of(importer) is not None
        for target, where in sorted(edges.items())
        if unit_of(target) in public and unit_of(target) != unit_of(importer)
        and not offered(target)
    ]  # fmt: skip


def test_package_cycles_are_found_where_no_module_cycle_is_and_name_the_imports():
    graph = {
        "pain_diary": {"pain_diary.a.x": "pain_diary/__init__.py:1"},
        "pain_diary.a.x": {"pain_diary.b.y": "pain_diary/a/x.py:3"},
        "pain_diary.a.z": {"pain_diary.errors": "pain_diary/a/z.py:4"},
        "pain_diary.b.y": {"pain_diary.a.z": "pain_diary/b/y.py:5"},
        "pain_diary.errors": {},
    }
    assert find_cycles(graph) == []
    packages = package_graph(graph)
    assert packages == {
        "a": {"b": "pain_diary/a/x.py:3", "errors": "pain_diary/a/z.py:4"},
        "b": {"a": "pain_diary/b/y.py:5"},
        "errors": {},
    }
    assert [described(cycle, packages) for cycle in find_cycles(packages)] == [
        "a (pain_diary/a/x.py:3) -> b (pain_diary/b/y.py:5) -> a"
    ]


def test_kernel_reaches_are_the_kernels_imports_of_a_feature_and_the_root_is_exempt():
    graph = {
        "pain_diary": {"pain_diary.accounts.auth": "pain_diary/__init__.py:3"},
        "pain_diary.hooks": {"pain_diary.accounts.auth": "pain_diary/hooks.py:7"},
        "pain_diary.sync.routes": {
            "pain_diary.accounts.auth": "pain_diary/sync/routes.py:16",
            "pain_diary.errors": "pain_diary/sync/routes.py:17",
        },
        "pain_diary.accounts.auth": {"pain_diary.sync.store": "pain_diary/accounts/auth.py:9"},
    }
    assert kernel_reaches(graph, {"accounts"}) == [
        "pain_diary/hooks.py:7: pain_diary.hooks imports pain_diary.accounts.auth",
        "pain_diary/sync/routes.py:16: pain_diary.sync.routes imports pain_diary.accounts.auth",
    ]


def test_private_reaches_are_imports_of_another_packages_module_it_does_not_offer():
    public = {"accounts": ("auth",), "charts": WHOLE, "web": ()}
    graph = {
        "pain_diary": {"pain_diary.web.routes": "pain_diary/__init__.py:4"},
        "pain_diary.web.routes": {
            "pain_diary.accounts": "pain_diary/web/routes.py:1",
            "pain_diary.accounts.auth": "pain_diary/web/routes.py:2",
            "pain_diary.accounts.schemas": "pain_diary/web/routes.py:3",
            "pain_diary.charts.frame": "pain_diary/web/routes.py:4",
            "pain_diary.errors": "pain_diary/web/routes.py:5",
            "pain_diary.web.words": "pain_diary/web/routes.py:6",
        },
    }
    assert private_reaches(graph, public) == [
        "pain_diary/web/routes.py:3: pain_diary.web.routes imports pain_diary.accounts.schemas"
    ]


def test_every_package_declares_its_public_modules_and_they_exist():
    modules = module_files()
    packages = {name.split(".")[1] for name, path in modules.items()
                if name.count(".") == 1 and path.name == "__init__.py"}  # fmt: skip
    assert sorted(packages - set(PUBLIC)) == [], "packages missing from PUBLIC"
    assert sorted(set(PUBLIC) - packages) == [], "PUBLIC names packages that are gone"
    missing = [
        f"pain_diary.{package}.{name}"
        for package, names in PUBLIC.items()
        if names != WHOLE
        for name in names
        if f"pain_diary.{package}.{name}" not in modules
    ]
    assert not missing, "public modules that do not exist:\n" + "\n".join(missing)


def test_no_package_of_pain_diary_is_part_of_an_import_cycle():
    packages = package_graph(import_graph())
    report = [described(cycle, packages) for cycle in find_cycles(packages)]
    assert not report, "package cycles (package (where it imports the next)):\n" + "\n".join(report)


def test_the_kernel_imports_no_feature_package():
    offending = kernel_reaches(import_graph(), FEATURES)
    assert not offending, "the kernel imports a feature package:\n" + "\n".join(offending)


def test_another_package_is_reached_only_through_its_public_modules():
    offending = private_reaches(import_graph(), PUBLIC)
    assert not offending, "imports of another package's private module:\n" + "\n".join(offending)


def feature_models(module):
    """The feature package whose models ``module`` is (``models.py`` or inside ``models/``)."""
    parts = module.split(".")
    is_models = len(parts) >= 3 and parts[0] == "pain_diary" and parts[2] == "models"
    return parts[1] if is_models and parts[1] in PUBLIC else None


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


def over_max_lines(paths, root):
    """``file: N lines`` (relative to ``root``) for each of ``paths`` over MAX_LINES lines."""
    lengths = {path: len(path.read_text().splitlines()) for path in sorted(paths)}
    return [
        f"{path.relative_to(root)}: {lines} lines"
        for path, lines in lengths.items()
        if lines > MAX_LINES
    ]


def test_over_max_lines_names_only_the_files_longer_than_the_limit(tmp_path):
    (tmp_path / "at_the_limit.js").write_text("x;\n" * MAX_LINES)
    (tmp_path / "over.js").write_text("x;\n" * (MAX_LINES + 1))
    assert over_max_lines(tmp_path.iterdir(), tmp_path) == [f"over.js: {MAX_LINES + 1} lines"]


def test_no_module_of_pain_diary_is_over_300_lines():
    over = over_max_lines(module_files().values(), PACKAGE.parent)
    assert not over, f"modules over {MAX_LINES} lines:\n" + "\n".join(over)


def test_no_file_of_static_js_is_over_300_lines():
    over = over_max_lines(STATIC_JS.rglob("*.js"), PACKAGE.parent)
    assert not over, f"files of static/js over {MAX_LINES} lines:\n" + "\n".join(over)
