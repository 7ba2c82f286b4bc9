"""Which modules of the shared package a Lambda function can run: its import closure, read from the code.

The grants of a function (``infra/grants.py``) follow the code it can reach, so the closure must never
miss a module the function loads, whenever it loads it. It is read from the source, not from an import
at synth time, because most of the package's imports are made on first use (cold starts, ``make bench``):

- every ``import`` / ``from … import`` statement of a module counts, at module level or nested in a
  function (a lazy import runs when its function does); a submodule counts its packages' ``__init__``;
- a string constant that is exactly a module's dotted name counts as an import of it (the admin
  operations' ``OPERATION_MODULES``, imported by name on first dispatch);
- the OCPI routers (``mobie_hub.ocpi.app.ROUTERS``) are imported by key: a ``create_app("locations")`` /
  ``load_router("locations")`` call loads that key's router; a call with no or a computed key, all;
- a port (``Port("audit.sink")``, ``core/composition.py``) loads the imports of the factory the
  composition root provides for it (``composition.provide("audit.sink", audit_sink)`` in
  ``wiring/aws.py``) — only for the ports declared by modules in the closure.

Fail closed: an ``import_module`` / ``__import__`` anywhere else, a port named by a computed string, a
port no module in the closure provides, or a provided factory that is not a module-level function is
an error at synth (``UnresolvedImport``), not a silently smaller grant. ``tests/infra/test_import_closure``
checks the result against what each handler really imports in a fresh interpreter.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from infra.constants import FUNCTIONS_DIR, SHARED_LAYER_SOURCE, SHARED_PACKAGE

# The modules that import by a name they compute, and what bounds the names (see the module docstring).
ROUTER_REGISTRY = f"{SHARED_PACKAGE}.ocpi.app"
ROUTER_TABLE = "ROUTERS"
ROUTER_LOADERS = frozenset({"create_app", "load_router"})
NAMED_IMPORTERS = frozenset({ROUTER_REGISTRY, f"{SHARED_PACKAGE}.admin.registry"})
_DYNAMIC_IMPORTS = frozenset({"import_module", "__import__"})


class UnresolvedImport(ValueError):
    """Code imports something the closure cannot name: the grants would be guesses."""


@dataclass(frozen=True)
class ModuleFacts:
    """What one module imports, read from its source."""

    imports: frozenset[str] = frozenset()  # dotted names, resolved against the package
    ports: frozenset[str] = frozenset()  # Port("…") it declares
    provided: Mapping[str, frozenset[str]] = field(default_factory=dict)  # port → its factory's imports
    router_keys: frozenset[str] | None = frozenset()  # create_app/load_router keys; None: any key


def package_modules(root: Path = SHARED_LAYER_SOURCE) -> dict[str, Path]:
    """Dotted name → file of every module of the shared package (a package by its ``__init__``)."""
    modules: dict[str, Path] = {}
    for path in sorted((root / SHARED_PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _with_packages(name: str, modules: Mapping[str, Path]) -> set[str]:
    """``a.b.c`` and the packages above it, those that are modules of the package."""
    parts = name.split(".")
    return {dotted for i in range(1, len(parts) + 1) if (dotted := ".".join(parts[:i])) in modules}


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: Mapping[str, Path]) -> set[str]:
    if isinstance(node, ast.Import):
        return {found for alias in node.names for found in _with_packages(alias.name, modules)}
    base = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        package = module.split(".")[: len(module.split(".")) - (0 if is_package else 1)]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    found = _with_packages(base, modules)
    for alias in node.names:  # `from a import b`: b may be a submodule
        found |= _with_packages(f"{base}.{alias.name}", modules)
    return found


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _router_keys(tree: ast.AST) -> frozenset[str] | None:
    keys: set[str] = set()
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and _call_name(call) in ROUTER_LOADERS:
            if not call.args or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
                return None
            keys.update(a.value for a in call.args)
    return frozenset(keys)


def _provided(tree: ast.Module, module: str) -> dict[str, str]:
    """``composition.provide("port", factory)`` calls: port → the factory function's name."""
    provided: dict[str, str] = {}
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and _call_name(call) == "provide" and len(call.args) == 2:
            port, factory = call.args
            if not (isinstance(port, ast.Constant) and isinstance(port.value, str) and isinstance(factory, ast.Name)):
                raise UnresolvedImport(f"{module}: provide() needs a port name and a module-level function")
            provided[port.value] = factory.id
    return provided


def _ports(tree: ast.AST, module: str) -> set[str]:
    ports: set[str] = set()
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and _call_name(call) == "Port":
            name = call.args[0] if call.args else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                raise UnresolvedImport(f"{module}: a Port named by a computed value")
            ports.add(name.value)
    return ports


def read_module(source: str, module: str, modules: Mapping[str, Path], *, is_package: bool = False) -> ModuleFacts:
    tree = ast.parse(source)
    factories = _provided(tree, module)
    functions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    missing = sorted(name for name in factories.values() if name not in functions)
    if missing:
        raise UnresolvedImport(f"{module}: provided factories {missing} are not module-level functions")

    def imports_under(node: ast.AST, skip: Iterable[ast.AST] = ()) -> set[str]:
        skipped = {id(inner) for fn in skip for inner in ast.walk(fn)}
        return {
            found
            for inner in ast.walk(node)
            if isinstance(inner, (ast.Import, ast.ImportFrom)) and id(inner) not in skipped
            for found in _imported(inner, module, is_package, modules)
        }

    factory_nodes = [functions[name] for name in set(factories.values())]
    imports = imports_under(tree, skip=factory_nodes)
    if module != ROUTER_REGISTRY:  # its ROUTERS are loaded by key, below
        imports |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in modules}
    dynamic = any(
        isinstance(n, ast.Call) and _call_name(n) in _DYNAMIC_IMPORTS for n in ast.walk(tree)
    ) or any(isinstance(n, ast.Name) and n.id in _DYNAMIC_IMPORTS for n in ast.walk(tree))
    if dynamic and module not in NAMED_IMPORTERS:
        raise UnresolvedImport(
            f"{module} imports by a computed name: list what bounds it in infra/import_closure.py, or import plainly"
        )
    return ModuleFacts(
        imports=frozenset(imports - {module}),
        ports=frozenset(_ports(tree, module)),
        provided={port: frozenset(imports_under(functions[name])) for port, name in factories.items()},
        router_keys=frozenset() if module == ROUTER_REGISTRY else _router_keys(tree),  # it passes keys on
    )


def _routers(root: Path) -> dict[str, str]:
    """The ROUTERS table of ocpi/app.py: OCPI module id → its router's module."""
    path = package_modules(root).get(ROUTER_REGISTRY)
    if path is None:
        return {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == ROUTER_TABLE:
            return ast.literal_eval(node.value)
    raise UnresolvedImport(f"{ROUTER_REGISTRY} has no {ROUTER_TABLE} table")


@cache
def _package_facts(root: Path) -> dict[str, ModuleFacts]:
    modules = package_modules(root)
    return {
        name: read_module(path.read_text(encoding="utf-8"), name, modules, is_package=path.name == "__init__.py")
        for name, path in modules.items()
    }


def closure(entries: Iterable[Path], root: Path = SHARED_LAYER_SOURCE) -> frozenset[str]:
    """Every package module the code of ``entries`` (files outside the package) can load."""
    modules = package_modules(root)
    facts = dict(_package_facts(root))
    for entry in entries:
        facts[str(entry)] = read_module(entry.read_text(encoding="utf-8"), entry.stem, modules)
    routers = _routers(root)
    reached: set[str] = set()
    pending = [str(entry) for entry in entries]
    ports: set[str] = set()
    providers: dict[str, frozenset[str]] = {}
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        fact = facts[name]
        found = set(fact.imports)
        keys = routers if fact.router_keys is None else fact.router_keys
        found |= {module for key in keys if key in routers for module in _with_packages(routers[key], modules)}
        ports |= fact.ports
        providers.update(fact.provided)
        found |= {module for port in ports if port in providers for module in providers[port]}
        pending.extend(found - reached)
        if not pending:  # a port declared after its provider was read: its factory's imports now
            pending.extend({m for port in ports if port in providers for m in providers[port]} - reached)
    unprovided = sorted(port for port in ports if port not in providers)
    if unprovided:
        raise UnresolvedImport(f"ports {unprovided} are declared but no module in the closure provides them")
    return frozenset(name for name in reached if name in modules)


@cache
def function_closure(source: str, root: Path = SHARED_LAYER_SOURCE) -> frozenset[str]:
    """The package modules the function made from ``functions/<source>/`` can load."""
    return closure(tuple(sorted((FUNCTIONS_DIR / source).glob("*.py"))), root)
