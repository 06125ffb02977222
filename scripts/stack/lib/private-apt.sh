# Sourced by stack.sh: a private apt setup per Debian suite (own sources.list,
# lists, dpkg status and cache under $STACK_DIR/apt/<suite>), pointed at the
# mirror the machine already uses. It only downloads (apt-get download,
# apt-get source --download-only): nothing is installed, the machine's apt
# configuration and dpkg database are not touched, and its empty status makes
# `apt-get install -s` resolve a package's full closure. Used for sid by
# lib/field-docker.sh (Docker 28.5) and lib/buildkit.sh (BuildKit's sources).
# Uses helpers and variables of stack.sh.

PRIVATE_APT_ROOT=$STACK_DIR/apt
# A setup named other than its suite (lib/emulation.sh's bookworm-arm64): its Debian
# suite and its one architecture.
declare -A PRIVATE_APT_SUITE=() PRIVATE_APT_ARCH=()
# Lists younger than this are not fetched again (callers only come here when
# something must be downloaded).
PRIVATE_APT_MAX_AGE_MINUTES=60

private_apt_dir() { printf '%s/%s\n' "$PRIVATE_APT_ROOT" "$1"; }

# Prints apt's options (one a line) for the private setup of suite $1.
private_apt_opts() {
  local dir
  dir=$(private_apt_dir "$1")
  printf '%s\n' \
    -o "Dir::State::status=$dir/status" -o "Dir::Etc::SourceList=$dir/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$dir/lists" \
    -o "Dir::Cache=$dir/cache" -o Dir::Etc::Preferences=/dev/null \
    -o Dir::Etc::PreferencesParts=/dev/null -o Debug::NoLocking=1 \
    -o APT::Sandbox::User=root
  [[ -z ${PRIVATE_APT_ARCH[$1]:-} ]] \
    || printf '%s\n' -o "APT::Architecture=${PRIVATE_APT_ARCH[$1]}" -o "APT::Architectures=${PRIVATE_APT_ARCH[$1]}"
}

# private_apt SUITE COMMAND ARGS...: apt-get or apt-cache with the private setup.
private_apt() {
  local suite=$1 command=$2 opts
  shift 2
  mapfile -t opts < <(private_apt_opts "$suite")
  "$command" -q "${opts[@]}" "$@"
}

# Writes the suite's sources (deb and deb-src) and fetches its lists unless
# they are recent. The apt log is $LOG_DIR/apt.log.
private_apt_update() {
  local suite=$1 dir uri signed_by sources
  dir=$(private_apt_dir "$suite")
  uri=$(debian_mirror_field URIs)
  [[ -n $uri ]] || die "no URIs: line in the bookworm entry of $DEBIAN_SOURCES"
  signed_by=$(debian_mirror_field Signed-By)
  signed_by=${signed_by:-/usr/share/keyrings/debian-archive-keyring.gpg}
  sources="deb [signed-by=$signed_by] $uri ${PRIVATE_APT_SUITE[$suite]:-$suite} main
deb-src [signed-by=$signed_by] $uri ${PRIVATE_APT_SUITE[$suite]:-$suite} main"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  [[ -f $dir/status ]] || : >"$dir/status"
  if ! write_if_changed "$dir/sources.list" "$sources" \
    && [[ -f $dir/.updated && -z $(find "$dir/.updated" -mmin +"$PRIVATE_APT_MAX_AGE_MINUTES") ]]; then
    return 0
  fi
  log "fetching the $suite package lists (private apt setup in $dir)"
  printf "\n=== %s private apt-get update (%s)\n" "$(date -u +%FT%TZ)" "$suite" >>"$LOG_DIR/apt.log"
  private_apt "$suite" apt-get update >>"$LOG_DIR/apt.log" 2>&1 \
    || { log_tail "$LOG_DIR/apt.log"; die "apt-get update of $suite failed (private apt setup in $dir)"; }
  touch "$dir/.updated"
}

# The suite's version of binary package $2 (empty if it has none; awk reads all
# of apt-cache's output so that pipefail sees no SIGPIPE).
private_apt_version() {
  { private_apt "$1" apt-cache show --no-all-versions "$2" 2>/dev/null || true; } \
    | awk '$1 == "Version:" && !found { print $2; found = 1 }'
}

# Unpacks the .deb files named on stdin into folder $1 (dpkg -x, two at a time).
unpack_debs() {
  local target=$1
  mkdir -p "$target"
  xargs -r -P 2 -I '{}' nice -n 10 dpkg -x '{}' "$target" \
    || die "dpkg -x into $target failed"
}

# Downloads suite $2's package $1 (a version of series $3, else dies naming lib file $6) with
# `apt-get download` into $4/debs and unpacks it into $5, whose .dpa-packages says
# "<package> <version>" once the unpack is whole: nothing on the machine is installed.
unpack_suite_package() {
  local package=$1 suite=$2 series=$3 dir=$4 root=$5 lib=$6 version debs
  private_apt_update "$suite"
  version=$(private_apt_version "$suite" "$package")
  [[ -n $version ]] || die "package $package not found in $suite"
  version_in_series "$version" "$series" \
    || die "$package in $suite is $version, the stack wants $series.x ($lib)"
  debs=$dir/debs
  rm -rf "$debs" "$root.new"
  mkdir -p "$debs"
  log "downloading $package/$suite $version into $debs (apt-get download; nothing is installed)"
  (cd "$debs" && private_apt "$suite" apt-get download "$package/$suite") \
    >>"$LOG_DIR/apt.log" 2>&1 || { log_tail "$LOG_DIR/apt.log"; die "apt-get download of $package from $suite failed"; }
  find "$debs" -name '*.deb' | unpack_debs "$root.new"
  printf '%s %s\n' "$package" "$version" >"$root.new/.dpa-packages"
  rm -rf "$root"
  mv "$root.new" "$root"
  rm -rf "$debs"
}
