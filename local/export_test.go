package local

// RedactedForTest is redacted, for the external tests.
var RedactedForTest = redacted
