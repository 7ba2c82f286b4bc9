"""The cost model of issue #18: `make cost` (docs/operations.md "Cost")."""
