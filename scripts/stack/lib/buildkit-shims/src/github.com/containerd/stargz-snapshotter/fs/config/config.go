// Package config stands in for the stargz snapshotter's (see ../fs.go).
package config

// Config takes buildkitd.toml's [worker.oci.stargzSnapshotter] table; nothing reads it.
type Config struct{}
