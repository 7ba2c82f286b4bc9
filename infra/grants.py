"""The DynamoDB actions the Lambda code really calls, per table, read from the code itself.

CDK's ``grant_read_data`` / ``grant_read_write_data`` allow every data action (Scan, DeleteItem,
BatchWriteItem, DescribeTable, …) whether or not anything calls it. The FunctionFactory grants instead:

- to a function that reads a table: the point reads every repository uses (GetItem, BatchGetItem,
  Query, ConditionCheckItem), plus Scan if some code scans that table;
- to a function that writes it: also PutItem and UpdateItem (TransactWriteItems needs the action of
  each of its items), plus DeleteItem / BatchWriteItem if some code deletes from / batch-writes that table.

"Some code" is the code the function can load: its import closure (``infra/import_closure.py``: the
handler's imports, nested ones included, the admin operations and OCPI routers it loads by name, the
adapters of the ports it uses). In each module of it (``layers/shared/mobie_hub``, not the local-only
parts) the boto3 calls of each Python function (``.scan(``, ``.delete_item(``, ``.batch_writer(``, a
transaction item ``{"Delete": …}``) apply to the tables that function names (``table("locations")``,
``table(TABLE)`` with a module constant ``TABLE = "stations"``, its own or imported from another module);
a function naming none falls back to its module's tables, and a module naming none to every table (none
does today: a test says so). So the locations Lambda,
which writes the ephemeral table for its rate windows, may not delete there, although the push code
(which it cannot load) does.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from infra.constants import SHARED_LAYER_SOURCE
from infra.import_closure import function_closure, package_modules
from mobie_hub.core.tables import TABLES_BY_KEY

READ_ACTIONS = ("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query")
WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem")
# The actions granted only on the tables some code calls them on: boto3 method → IAM action.
CONDITIONAL_CALLS = {
    "scan": "dynamodb:Scan",
    "delete_item": "dynamodb:DeleteItem",
    "batch_writer": "dynamodb:BatchWriteItem",
    "batch_write_item": "dynamodb:BatchWriteItem",
}
CONDITIONAL_READS = frozenset({"dynamodb:Scan"})
# Not in the Lambda layer's code paths (the local hub, the simulator, the CLI run outside Lambda).
LOCAL_ONLY = ("local", "simulator", "cli")

_CALL = re.compile(r"\.(" + "|".join(CONDITIONAL_CALLS) + r")\(")
_TRANSACT_DELETE = re.compile(r"""\{\s*["']Delete["']\s*:""")


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level string constants (``TABLE = "stations"``)."""
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _tables_named(node: ast.AST, constants: Mapping[str, str]) -> set[str]:
    """Table keys named under ``node`` as ``table("key")`` or ``table(CONSTANT)``."""
    named: set[str] = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "table" and call.args:
            argument = call.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                named.add(argument.value)
            elif isinstance(argument, ast.Name) and argument.id in constants:
                named.add(constants[argument.id])
    return {key for key in named if key in TABLES_BY_KEY}


def _actions(source: str) -> set[str]:
    actions = {CONDITIONAL_CALLS[call] for call in _CALL.findall(source)}
    if _TRANSACT_DELETE.search(source):  # a TransactWriteItems item {"Delete": …}
        actions.add("dynamodb:DeleteItem")
    return actions


def _imported_constants(tree: ast.Module, package: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Module-level ``from mobie_hub.x import TABLE [as NAME]`` of another module's string constant."""
    return {
        alias.asname or alias.name: package[node.module][alias.name]
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in package
        for alias in node.names
        if alias.name in package[node.module]
    }


@cache
def module_actions(root: Path = SHARED_LAYER_SOURCE) -> Mapping[str, Mapping[str, frozenset[str]]]:
    """Per module of the Lambda code (dotted name), per table key: the Scan / DeleteItem / BatchWriteItem
    actions the module calls on it (modules that call none are left out)."""
    sources = {
        name: path.read_text(encoding="utf-8")
        for name, path in package_modules(root).items()
        if not (name.split(".")[1:2] and name.split(".")[1] in LOCAL_ONLY)
    }
    trees = {name: ast.parse(source) for name, source in sources.items()}
    package = {name: _constants(tree) for name, tree in trees.items()}
    found: dict[str, dict[str, frozenset[str]]] = {}
    for name, source in sources.items():
        constants = {**_imported_constants(trees[name], package), **package[name]}
        tables = _module_actions(source, trees[name], constants)
        if tables:
            found[name] = tables
    return found


def _module_actions(source: str, tree: ast.Module, constants: Mapping[str, str]) -> dict[str, frozenset[str]]:
    if not _actions(source):
        return {}
    found: dict[str, set[str]] = {}
    module_tables = _tables_named(tree, constants) or set(TABLES_BY_KEY)
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    # Innermost first: a call belongs to the smallest function around it.
    functions.sort(key=lambda n: (n.end_lineno or n.lineno) - n.lineno)
    lines = source.splitlines()
    claimed: set[int] = set()
    for function in functions:
        span = [i for i in range(function.lineno - 1, function.end_lineno or function.lineno) if i not in claimed]
        actions = _actions("\n".join(lines[i] for i in span))
        claimed.update(span)
        if actions:
            for key in _tables_named(function, constants) or module_tables:
                found.setdefault(key, set()).update(actions)
    outside = _actions("\n".join(line for i, line in enumerate(lines) if i not in claimed))
    for key in module_tables if outside else ():
        found.setdefault(key, set()).update(outside)
    return {key: frozenset(actions) for key, actions in found.items()}


def conditional_actions(
    modules: Iterable[str] | None = None, root: Path = SHARED_LAYER_SOURCE
) -> Mapping[str, frozenset[str]]:
    """Per table key, the Scan / DeleteItem / BatchWriteItem actions ``modules`` call on it (None: any
    module of the Lambda code)."""
    per_module = module_actions(root)
    chosen = per_module.keys() if modules is None else set(modules) & per_module.keys()
    found: dict[str, set[str]] = {key: set() for key in TABLES_BY_KEY}
    for name in chosen:
        for key, actions in per_module[name].items():
            found[key] |= actions
    return {key: frozenset(actions) for key, actions in found.items()}


def table_actions(key: str, *, write: bool, source: str) -> tuple[str, ...]:
    """The actions the function made from ``functions/<source>/`` is granted on table ``key``, which it
    reads (or writes): the point reads (and writes), and what the modules it can load call on it."""
    extra = conditional_actions(function_closure(source))[key]
    actions = {*READ_ACTIONS, *(extra & CONDITIONAL_READS)}
    if write:
        actions |= {*WRITE_ACTIONS, *extra}
    return tuple(sorted(actions))
