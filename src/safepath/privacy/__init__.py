"""Data protection by design: actors and access policy, field encryption, consent, audit,
retention and disclosure control. Every read or write of personal data passes through here."""
