// Package layer stands in for the stargz snapshotter's (see ../fs.go).
package layer

type OverlayOpaqueType int

const (
	OverlayOpaqueAll OverlayOpaqueType = iota
	OverlayOpaqueTrusted
	OverlayOpaqueUser
)
