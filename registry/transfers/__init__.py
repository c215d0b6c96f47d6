"""Transfer rules: EEA membership, adequacy decisions and transfer safeguards (GDPR Chapter V)."""
