"""Clients (controllers): legal data, services, authorisation type, notice contacts, exclusions."""
