// Package fuseoverlayfs stands in for github.com/containerd/fuse-overlayfs-snapshotter,
// which Debian does not package (see scripts/stack/lib/buildkit-shims/README.md): buildkitd's "auto"
// snapshotter then picks overlayfs or native, and "fuse-overlayfs" is refused.
package fuseoverlayfs

import (
	"errors"

	"github.com/containerd/containerd/v2/core/snapshots"
)

var errNotBuiltIn = errors.New("the fuse-overlayfs snapshotter is not built into this buildkitd (docker-publish-action stack)")

func Supported(root string) error { return errNotBuiltIn }

func NewSnapshotter(root string) (snapshots.Snapshotter, error) { return nil, errNotBuiltIn }
