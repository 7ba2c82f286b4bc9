"""DynamoDB grants: only the actions each function's code calls (issue #14 item 3). Read from the code
per module and per table (infra/grants.py), summed over each function's import closure
(infra/import_closure.py), then asserted on every function's role in the synthesized template."""

from __future__ import annotations

import pytest

from infra.constructs.audit import factory_functions
from infra.grants import READ_ACTIONS, WRITE_ACTIONS, conditional_actions, module_actions, table_actions
from infra.import_closure import function_closure
from mobie_hub.core.tables import ALL_TABLES, TABLES_BY_KEY

from .iam import actions, role_statements

pytestmark = pytest.mark.infra

ALL_KEYS = tuple(TABLES_BY_KEY)

_STREAM = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}
_NEVER = {"dynamodb:DescribeTable", "dynamodb:GetRecords", "dynamodb:PartiQLSelect", "dynamodb:DeleteTable"}


def _table_key(resource, table_ids: dict[str, str]) -> str:
    if "Fn::GetAtt" in resource:
        return table_ids[resource["Fn::GetAtt"][0]]
    parts = resource["Fn::Join"][1]
    assert parts[1:] == ["/index/*"], resource
    return table_ids[parts[0]["Fn::GetAtt"][0]]


def _table_grants(synth) -> dict[str, dict[str, set[str]]]:
    """Per function (its ``functions/<source>`` and logical id), per table key: the DynamoDB data
    actions its role allows."""
    table_ids = {synth.logical_id(synth.stack.data.tables[spec.key]): spec.key for spec in ALL_TABLES}
    grants: dict[tuple[str, str], dict[str, set[str]]] = {}
    for function in factory_functions(synth.stack):
        function_id = (synth.stack.functions.sources[function.node.path], synth.logical_id(function))
        role_id = synth.resources[function_id[1]]["Properties"]["Role"]["Fn::GetAtt"][0]
        for statement in role_statements(synth, role_id):
            granted = actions(statement)
            if not any(a.startswith("dynamodb:") for a in granted) or granted <= _STREAM:
                continue
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                grants.setdefault(function_id, {}).setdefault(_table_key(resource, table_ids), set()).update(granted)
    return grants


def test_the_code_scans_deletes_and_batch_writes_only_these_tables():
    # What the repositories call today (a change there changes the grants, and this list).
    found = conditional_actions()
    assert found["locations"] == {"dynamodb:Scan", "dynamodb:BatchWriteItem"}  # locations.inventory_repository: location_parties(), put_locations()
    assert found["tokens"] == {"dynamodb:Scan"}  # tokens.inventory_repository.shared_id_tags(): `mobie-hub tokens conflicts`
    assert found["tariffs"] == {"dynamodb:BatchWriteItem", "dynamodb:DeleteItem"}  # registry_store: release_references()
    assert found["parties"] == {"dynamodb:DeleteItem"}  # credentials tokens, a registration's token rotation
    assert found["stations"] == {"dynamodb:DeleteItem"}  # a connection, a pending call
    for key in ("sessions", "cdrs", "commands"):
        assert found[key] == frozenset(), key


def test_every_function_gets_exactly_the_actions_the_code_calls_on_each_of_its_tables(prod):
    grants = _table_grants(prod)
    assert len(grants) >= 15
    for function_id, tables in grants.items():
        for key, granted in tables.items():
            write = bool(granted & set(WRITE_ACTIONS))
            assert granted == set(table_actions(key, write=write, source=function_id[0])), (function_id, key)
            assert not granted & _NEVER, (function_id, key)


def test_no_function_may_scan_delete_or_batch_write_where_its_own_code_does_not(prod):
    for (source, _), tables in _table_grants(prod).items():
        for key, granted in tables.items():
            extra = granted - set(READ_ACTIONS) - set(WRITE_ACTIONS)
            assert extra <= conditional_actions(function_closure(source))[key], (source, key)


def test_grants_are_per_function_not_per_table(prod):
    # The push code deletes and batch-writes the ephemeral table (push_state.done); the OCPI locations
    # and tariffs Lambdas write it too (rate windows) but cannot load that code, so may not delete there.
    by_source: dict[str, dict[str, set[str]]] = {}
    for (source, _), tables in _table_grants(prod).items():
        for key, granted in tables.items():
            by_source.setdefault(source, {}).setdefault(key, set()).update(granted)
    ephemeral_deletes = {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    # Only the operator's commands (the admin Lambda) scan the tokens and locations tables and batch-write
    # Locations (tokens.inventory_repository, locations.inventory_repository); every Lambda serving stations or EMSPs cannot.
    for key, action in (("tokens", "dynamodb:Scan"), ("locations", "dynamodb:Scan"), ("locations", "dynamodb:BatchWriteItem")):
        assert {source for source, tables in by_source.items() if action in tables.get(key, ())} == {"admin"}, (key, action)
    assert "dynamodb:PutItem" in by_source["ocpp_message"]["locations"]  # it writes the table, one item at a time
    # Token items of the parties table are deleted by the credentials flows only
    # (parties.credentials_repository); the push Lambdas record connection statuses but cannot delete.
    parties_deleters = {s for s, tables in by_source.items() if "dynamodb:DeleteItem" in tables.get("parties", ())}
    assert parties_deleters == {"admin", "credentials", "credentials_renewal"}
    assert "dynamodb:PutItem" in by_source["push"]["parties"]
    # A station's connection and the call awaiting its answer are deleted on the station path only
    # (ocpp.connection_repository, ocpp.call_repository); the OCPI, CDR and stream Lambdas, which ask
    # ocpp.api whether a station is connected, cannot. A tariff reference is released by an import only.
    station_deleters = {s for s, tables in by_source.items() if "dynamodb:DeleteItem" in tables.get("stations", ())}
    assert station_deleters == {
        "admin", "command_send", "ocpp_authorizer", "ocpp_connect", "ocpp_disconnect", "ocpp_message"
    }
    tariff_deleters = {s for s, tables in by_source.items() if "dynamodb:DeleteItem" in tables.get("tariffs", ())}
    assert tariff_deleters == {"admin"}
    assert "dynamodb:PutItem" in by_source["tariffs"]["tariffs"]  # the receiver writes, never deletes
    assert ephemeral_deletes <= by_source["push"]["ephemeral"]
    for source in ("locations", "tariffs"):
        assert "dynamodb:PutItem" in by_source[source]["ephemeral"], source
        assert not by_source[source]["ephemeral"] & ephemeral_deletes, source


def test_the_grants_follow_the_calls_in_the_code(tmp_path):
    # A package where one function scans "tokens" and another deletes from its module's table.
    package = tmp_path / "mobie_hub" / "feature"
    package.mkdir(parents=True)
    (package / "repo.py").write_text(
        'TABLE = "stations"\n'
        "def listing():\n"
        '    return table("tokens").scan()\n'
        "def remove(key):\n"
        "    table(TABLE).delete_item(Key=key)\n"
        "def read(key):\n"
        '    return table("cdrs").get_item(Key=key)\n'
    )
    # A transaction item names no table itself: it counts for the tables its module names.
    (package / "rotation.py").write_text(
        "def swap(a, b):\n"
        '    transact([{"Delete": {"Key": a}}, {"Put": {"Item": b}}])\n'
        "def get(key):\n"
        '    return table("parties").get_item(Key=key)\n'
    )
    # A table named by a constant another module defines (``from … import TABLE``) counts as named.
    (package / "removal.py").write_text(
        "from mobie_hub.feature.repo import TABLE\n"
        "def gone(key):\n"
        "    table(TABLE).delete_item(Key=key)\n"
    )
    (tmp_path / "mobie_hub" / "local").mkdir()
    (tmp_path / "mobie_hub" / "local" / "tools.py").write_text('table("sessions").scan()\n')  # not in Lambda

    per_module = module_actions.__wrapped__(tmp_path)
    found = {key: frozenset().union(*(m.get(key, frozenset()) for m in per_module.values())) for key in ALL_KEYS}

    assert found["tokens"] == {"dynamodb:Scan"}
    assert found["stations"] == {"dynamodb:DeleteItem"}  # remove()
    assert found["parties"] == {"dynamodb:DeleteItem"}  # the transaction's Delete item, by its module
    assert found["cdrs"] == found["sessions"] == frozenset()  # a read; local-only code does not count
    assert set(per_module) == {"mobie_hub.feature.repo", "mobie_hub.feature.rotation", "mobie_hub.feature.removal"}
    assert per_module["mobie_hub.feature.removal"] == {"stations": {"dynamodb:DeleteItem"}}  # not every table
    assert per_module["mobie_hub.feature.repo"] == {"tokens": {"dynamodb:Scan"}, "stations": {"dynamodb:DeleteItem"}}


def test_every_module_that_scans_deletes_or_batch_writes_names_its_tables():
    # A module whose table the reader cannot name would count for every table: a silent over-grant.
    for module, tables in module_actions().items():
        assert set(tables) != set(ALL_KEYS), module
