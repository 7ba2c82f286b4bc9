"""OCPI CDRs: built from a finished session, priced, stored once, served and pushed."""
