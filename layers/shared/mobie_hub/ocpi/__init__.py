"""The OCPI 2.2 / 2.2.1 HTTP side: envelope, auth, headers, pagination, one router per module."""
