"""OCPI Tariffs: the tariffs sender and their storage."""
