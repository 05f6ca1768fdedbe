#!/bin/bash
# a11y-check.sh PROGRAM: runs a11y-check.py in a D-Bus session of its own, with GTK's AT-SPI on.
# The other widget tests keep GTK's accessibility off and point at no bus (tests/meson.build); this one
# needs both, and at-spi2-core's bus launcher and registry are started by D-Bus activation inside it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
unset NO_AT_BRIDGE DBUS_SESSION_BUS_ADDRESS
export GTK_A11Y=atspi
# G_DEBUG=fatal-warnings is for the program (a11y-check.py hands it on); libatspi's own warnings in the
# checker, about objects that went away while it looked, are not the program's.
export YATAI_G_DEBUG=${G_DEBUG:-}
unset G_DEBUG
exec dbus-run-session -- /usr/bin/python3 -u "$here/a11y-check.py" "$@"
