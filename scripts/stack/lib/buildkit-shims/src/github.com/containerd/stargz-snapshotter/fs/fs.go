// Package fs stands in for the stargz snapshotter's filesystem. Debian packages
// github.com/containerd/stargz-snapshotter built against containerd 1.x, which
// BuildKit 0.25's containerd 2.x types do not fit (see scripts/stack/lib/buildkit-shims/README.md):
// buildkitd built with these stand-ins refuses its "stargz" snapshotter, while
// "auto", "overlayfs" and "native" work.
package fs

import (
	"errors"

	"github.com/containerd/stargz-snapshotter/fs/config"
	"github.com/containerd/stargz-snapshotter/fs/layer"
	"github.com/containerd/stargz-snapshotter/fs/source"
	"github.com/containerd/stargz-snapshotter/snapshot"
	"github.com/sirupsen/logrus"
)

type Option func(*options)

type options struct{}

func WithGetSources(source.GetSources) Option              { return func(*options) {} }
func WithMetricsLogLevel(logrus.Level) Option              { return func(*options) {} }
func WithOverlayOpaqueType(layer.OverlayOpaqueType) Option { return func(*options) {} }

func NewFilesystem(root string, cfg config.Config, opts ...Option) (snapshot.FileSystem, error) {
	return nil, errors.New("the stargz snapshotter is not built into this buildkitd (docker-publish-action stack)")
}
