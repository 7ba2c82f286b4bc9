"""One construct per concern; the stack (infra/stack.py) only wires them together."""
