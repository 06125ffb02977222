#!/bin/sh
# The stack's stand-in of tonistiigi/binfmt (scripts/stack/lib/emulation.sh builds its image):
# the same command line and output as its cmd/binfmt/main.go, for the architectures in
# /etc/binfmt/handlers ("<arch> <cpu> <magic> <mask>", Debian's qemu-user-static values).
#   --install arm64,arm | linux/arm64 | all   register qemu-<cpu> for each
#   --uninstall qemu-aarch64 | arm64 | qemu-*  write -1 to the handler
#   (always)                                   print {"supported": [...], "emulators": [...]}
# As binfmt: mounts binfmt_misc when /proc/sys/fs/binfmt_misc/status is missing; each
# install writes `:qemu-<cpu>:M:0:<magic>:<mask>:/usr/bin/qemu-<cpu>:CF` to register (F: the
# kernel opens the interpreter now, so it works in every container); logs
# "installing: <arch> OK" or the error on stderr and still exits 0 (binfmt's main only logs).
MOUNT=/proc/sys/fs/binfmt_misc
TABLE=/etc/binfmt/handlers
install=''
uninstall=''
while [ $# -gt 0 ]; do
  case $1 in
    --install) install=$2; shift 2 ;;
    --install=*) install=${1#*=}; shift ;;
    --uninstall) uninstall=$2; shift 2 ;;
    --uninstall=*) uninstall=${1#*=}; shift ;;
    *) echo "error: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ ! -e "$MOUNT/status" ]; then
  mount -t binfmt_misc binfmt_misc "$MOUNT" \
    || { echo "error: cannot mount binfmt_misc filesystem at $MOUNT" >&2; exit 0; }
fi

# A platform (linux/arm64, linux/arm/v7) names its architecture, as binfmt's parseArch.
arch_of() {
  case $1 in
    */*) echo "$1" | cut -d/ -f2 ;;
    *) echo "$1" ;;
  esac
}

for name in $(echo "$uninstall" | tr ',' ' '); do
  line=$(grep "^$(arch_of "$name") " "$TABLE")
  [ -z "$line" ] || name=qemu-$(echo "$line" | cut -d' ' -f2)
  found=''
  for file in "$MOUNT"/$name; do
    [ -e "$file" ] || continue
    echo -1 >"$file" && echo "uninstalling: ${file##*/} OK" >&2
    found=1
  done
  [ -n "$found" ] || echo "uninstalling: $name not found" >&2
done

if [ "$install" = all ]; then install=$(cut -d' ' -f1 "$TABLE" | tr '\n' ','); fi
for name in $(echo "$install" | tr ',' ' '); do
  arch=$(arch_of "$name")
  line=$(grep "^$arch " "$TABLE")
  if [ -z "$line" ]; then
    echo "installing: $arch unsupported architecture: $arch" >&2
    continue
  fi
  set -- $line
  # printf %s: the \x escapes go to the kernel as text, which decodes them
  if printf '%s' ":qemu-$2:M:0:$3:$4:/usr/bin/qemu-$2:CF" >"$MOUNT/register" 2>/dev/null; then
    echo "installing: $arch OK" >&2
  elif [ -e "$MOUNT/qemu-$2" ]; then
    echo "installing: $arch qemu-$2 already registered" >&2
  else
    echo "installing: $arch cannot register \"/usr/bin/qemu-$2\" to $MOUNT/register" >&2
  fi
done

# supported: this machine's own platforms and those of the enabled handlers in the table
supported='"linux/amd64", "linux/386"'
emulators=''
for file in "$MOUNT"/*; do
  name=${file##*/}
  case $name in register | status) continue ;; esac
  head -n1 "$file" | grep -q '^enabled' || continue
  emulators="$emulators${emulators:+, }\"$name\""
  line=$(grep " ${name#qemu-} " "$TABLE")
  [ -z "$line" ] && continue
  case ${line%% *} in
    arm) supported="$supported, \"linux/arm/v7\", \"linux/arm/v6\"" ;;
    *) supported="$supported, \"linux/${line%% *}\"" ;;
  esac
done
printf '{\n  "supported": [%s],\n  "emulators": [%s]\n}\n' "$supported" "$emulators"
