# Known boundary violations, frozen so that new ones fail. Empty: the service starts clean.
entries: []
