"""What every feature shares (errors, types, retry, validation, stream images…); core imports no feature."""
