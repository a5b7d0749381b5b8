"""The running service: accepting documents durably, processing them as jobs, keys, the drop folder."""
