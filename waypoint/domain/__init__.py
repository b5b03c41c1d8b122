"""Rules of the field as plain Python: no Django, no database, no clock, no network."""
