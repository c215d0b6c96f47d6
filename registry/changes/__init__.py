"""Announced changes to the sub-processor list, each affected client's deadline, objections and approvals."""
