"""Domain events: what changed in the hub's tables, as versioned envelopes (style §7).

DynamoDB streams → ``stream.events_from_records`` (the Pipe's enrichment in AWS, the local stream
poller locally) → the event bus → ``fanout`` (recipients, then one push per party).
"""
