"""The processor's own profile: one row used by documents, emails and feeds."""
