"""The DynamoDB actions the Lambda code really calls, per table, read from the code itself.

CDK's ``grant_read_data`` / ``grant_read_write_data`` allow every data action (Scan, DeleteItem,
BatchWriteItem, DescribeTable, …) whether or not anything calls it. The FunctionFactory grants instead:

- to a function that reads a table: the point reads every repository uses (GetItem, BatchGetItem,
  Query, ConditionCheckItem), plus Scan if some code scans that table;
- to a function that writes it: also PutItem and UpdateItem (TransactWriteItems needs the action of
  each of its items), plus DeleteItem / BatchWriteItem if some code deletes from / batch-writes that table.

"Some code" is found here by reading the package the functions run (``layers/shared/mobie_hub``, not the
local-only parts): the boto3 calls of each Python function (``.scan(``, ``.delete_item(``,
``.batch_writer(``, a transaction item ``{"Delete": …}``) apply to the tables that function names
(``table("locations")``, ``table(TABLE)`` with a module constant ``TABLE = "stations"``); a function naming
none falls back to its module's tables, and a module naming none to every table (none does today). The
table is the unit: a Lambda that writes ``parties`` may delete from it because the parties code does,
even if that Lambda's own path never deletes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from infra.constants import SHARED_LAYER_SOURCE, SHARED_PACKAGE
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


def _lambda_modules(root: Path) -> Iterable[Path]:
    package = root / SHARED_PACKAGE
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] not in LOCAL_ONLY:
            yield path


@cache
def conditional_actions(root: Path = SHARED_LAYER_SOURCE) -> Mapping[str, frozenset[str]]:
    """Per table key, the Scan / DeleteItem / BatchWriteItem actions some Lambda code calls on it."""
    found: dict[str, set[str]] = {key: set() for key in TABLES_BY_KEY}
    for path in _lambda_modules(root):
        source = path.read_text(encoding="utf-8")
        if not _actions(source):
            continue
        tree = ast.parse(source)
        constants = _constants(tree)
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
                    found[key] |= actions
        outside = _actions("\n".join(line for i, line in enumerate(lines) if i not in claimed))
        for key in module_tables if outside else ():
            found[key] |= outside
    return {key: frozenset(actions) for key, actions in found.items()}


def table_actions(key: str, *, write: bool) -> tuple[str, ...]:
    """The actions a function that reads (or writes) table ``key`` is granted on it."""
    extra = conditional_actions()[key]
    actions = {*READ_ACTIONS, *(extra & CONDITIONAL_READS)}
    if write:
        actions |= {*WRITE_ACTIONS, *extra}
    return tuple(sorted(actions))
