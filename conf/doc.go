// Package conf declares every configuration key of kitsune once (name, type,
// default, scope and documentation), loads the server configuration from
// kitsune-defaults.conf and command-line overrides into a typed Config, and
// renders docs/configuration.md from the declarations.
//
// Keys spelled kyuubi.X are accepted everywhere as aliases of kitsune.X, so
// that configuration written for Apache Kyuubi carries over.
package conf
