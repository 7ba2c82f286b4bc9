"""OCPI Tariffs: the sender (EMSPs read), the receiver (CPOs write), profile §9 rules and versions."""
