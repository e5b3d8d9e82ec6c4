package conf

import "errors"

// Sentinel errors of this package.
var (
	// ErrUnknownKey is returned for a kitsune.* key that is not declared.
	ErrUnknownKey = errors.New("unknown configuration key")
	// ErrInvalidValue is returned for a value that does not parse as its
	// key's type or is not among its choices.
	ErrInvalidValue = errors.New("invalid configuration value")
)
