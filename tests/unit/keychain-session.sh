#!/bin/sh
# Runs a keychain test binary in a controlled D-Bus / Secret Service situation (used by ctest, see CMakeLists.txt):
#   keychain-session.sh <scenario> <test binary> [args...]
# Scenarios (exported to the test as GEMGATE_KEYCHAIN_SCENARIO):
#   unlocked    private session bus + gnome-keyring-daemon unlocked with a fixed password; the keyring lives in
#               $HOME/.local/share/keyrings of the test's isolated HOME and persists between runs
#   locked      a keyring exists (in a fresh HOME under $HOME/kc-locked) and holds gemgate-test/main, written by a
#               first run of the binary with GEMGATE_KEYCHAIN_SCENARIO=seed in an unlocked session; then the test
#               runs on a new session bus where gnome-keyring is D-Bus activatable but nobody unlocks the keyring
#   no-keyring  like locked, but no keyring was ever created (fresh, empty HOME under $HOME/kc-no-keyring)
#   no-service  private session bus with no activatable services (dbus-no-services.conf): no Secret Service
#   no-bus      no session bus at all
# DISPLAY (and WAYLAND_DISPLAY) are always unset: with a display, a locked keyring opens an unlock prompt and the
# keychain job waits for ever. Each run gets its own XDG_RUNTIME_DIR (gnome-keyring-daemon's control socket lives
# there), so parallel ctest runs do not find each other's daemon.
# dbus-daemon may print "Failed to set fd limit"; that is harmless.
set -eu

if [ "$#" -lt 2 ]; then
    echo "usage: $0 unlocked|locked|no-keyring|no-service|no-bus <test binary> [args...]" >&2
    exit 2
fi
scenario=$1
shift
here=$(cd "$(dirname "$0")" && pwd)

unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
GEMGATE_KEYCHAIN_SCENARIO=$scenario
export GEMGATE_KEYCHAIN_SCENARIO

base=${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$base"
rt=$(mktemp -d "$base/kc-$scenario.XXXXXX")
chmod 700 "$rt"
XDG_RUNTIME_DIR=$rt
export XDG_RUNTIME_DIR
trap 'rm -rf "$rt"' EXIT

unlock='printf %s ci-keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
rc=0
case $scenario in
unlocked)
    dbus-run-session -- sh -c "$unlock"' && exec "$@"' sh "$@" || rc=$?
    ;;
locked | no-keyring)
    HOME=${HOME:?}/kc-$scenario
    rm -rf "$HOME"
    mkdir -p "$HOME"
    XDG_DATA_HOME=$HOME/.local/share
    XDG_CONFIG_HOME=$HOME/.config
    export HOME XDG_DATA_HOME XDG_CONFIG_HOME
    if [ "$scenario" = locked ]; then
        GEMGATE_KEYCHAIN_SCENARIO=seed dbus-run-session -- sh -c "$unlock"' && exec "$@"' sh "$@" || rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        dbus-run-session -- "$@" || rc=$?
    fi
    ;;
no-service)
    dbus-run-session --config-file="$here/dbus-no-services.conf" -- "$@" || rc=$?
    ;;
no-bus)
    env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY "$@" || rc=$?
    ;;
*)
    echo "$0: unknown scenario '$scenario'" >&2
    rc=2
    ;;
esac
exit "$rc"
