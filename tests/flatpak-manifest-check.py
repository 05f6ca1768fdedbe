#!/usr/bin/python3
"""The Flatpak manifest, checked as far as a machine without the GNOME runtime can (a TAP test).

Usage: flatpak-manifest-check.py MANIFEST BUILD_ROOT APP_ID COMMAND

- it parses, and names the app id, the command, and the GNOME 50 runtime and SDK;
- its finish-args are exactly what Yatai needs (FINISH_ARGS below), nothing of the file system;
- every library the project's meson dependencies name (BUILD_ROOT/meson-info) is in the runtime
  (RUNTIME below) or built by a module of the manifest, and no module is built for nothing;
- every archive or file source is downloaded where its host can be reached, and its sha256 compared
  with the manifest's: a mismatch fails, a host that cannot be reached is reported as skipped (this
  project's CI machine reaches the Debian archive, deb.debian.org, and nothing else). The top-level
  meson.build of a meson module's downloaded archive is read for the libraries it needs, which must be
  in the runtime or built by an earlier module.

Only Python's standard library: Debian's /usr/bin/python3 runs it as it is.
"""

import hashlib
import io
import json
import re
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request

RUNTIME = "org.gnome.Platform"
SDK = "org.gnome.Sdk"
RUNTIME_VERSION = "50"

# What the GNOME 50 runtime (org.gnome.Platform//50) provides, by pkg-config name, with where that is
# stated. The runtime is gnome-build-meta's elements/flatpak/platform/platform.bst over the stack
# elements/sdk-platform.bst, which lists elements/sdk/*.bst and freedesktop-sdk's platform.bst
# (freedesktop-sdk 25.08, the junction elements/freedesktop-sdk.bst of gnome-build-meta tag 50.4,
# ref freedesktop-sdk-25.08.15). Read at gnome-build-meta tag 50.4 (commit 85240134) and
# freedesktop-sdk tag freedesktop-sdk-25.08.15. libcanberra and GSound are only in gnome-build-meta's
# elements/core-deps/ (GNOME OS itself), which sdk-platform.bst does not include: not in the runtime.
FDSDK = "freedesktop-sdk 25.08 elements/platform.bst"
RUNTIME_PROVIDES = {
    "glib-2.0": "gnome-build-meta 50.4 sdk-platform.bst: sdk/glib.bst",
    "gobject-2.0": "gnome-build-meta 50.4 sdk-platform.bst: sdk/glib.bst",
    "gio-2.0": "gnome-build-meta 50.4 sdk-platform.bst: sdk/glib.bst",
    "gio-unix-2.0": "gnome-build-meta 50.4 sdk-platform.bst: sdk/glib.bst",
    "gmodule-2.0": "gnome-build-meta 50.4 sdk-platform.bst: sdk/glib.bst",
    "gtk4": "gnome-build-meta 50.4 sdk-platform.bst: sdk/gtk.bst (GTK 4.22.4, with gstreamer and "
            "gstreamer-plugins-bad among its depends: the GStreamer media backend)",
    "libadwaita-1": "gnome-build-meta 50.4 sdk-platform.bst: sdk/libadwaita.bst (1.9.3)",
    "libsoup-3.0": "gnome-build-meta 50.4 sdk-platform.bst: sdk/libsoup.bst",
    "json-glib-1.0": "gnome-build-meta 50.4 sdk-platform.bst: sdk/json-glib.bst",
    "pango": "gnome-build-meta 50.4 sdk-platform.bst: sdk/pango.bst",
    "gdk-pixbuf-2.0": "gnome-build-meta 50.4 sdk-platform.bst: sdk/gdk-pixbuf.bst",
    "gnutls": FDSDK + ": components/gnutls.bst",
    "libzstd": FDSDK + ": components/zstd.bst",
    "gstreamer-1.0": FDSDK + ": components/gstreamer.bst",
    "gstreamer-plugins-base-1.0": FDSDK + ": components/gstreamer-plugins-base.bst",
    # Through cups (GTK's printing): components/cups.bst depends on components/avahi-libs.bst, whose
    # "libs" domain (components/avahi-base.bst) holds libavahi-client, its headers and avahi-client.pc.
    # avahi-gobject and avahi-glib are not in it.
    "avahi-client": FDSDK + ": components/cups.bst -> components/avahi-libs.bst",
}
# What the chime needs of the runtime without naming it in meson.build: GTK's GStreamer media backend
# (above) and, from gstreamer-plugins-good, wavparse for the WAV file and pulsesink for the sound
# server (components/gstreamer-plugins-good.bst in FDSDK, built with libpulse, neither disabled).

# What the runtime has, but not as Yatai needs it: the manifest builds these itself, with the options
# that make the difference.
MUST_BUILD = {
    # freedesktop-sdk 25.08 components/sqlite.bst builds SQLite 3.50 without SQLITE_ENABLE_SESSION;
    # Yatai's sync records changes with the session extension.
    "sqlite3": ("sqlite", ["-DSQLITE_ENABLE_SESSION", "-DSQLITE_ENABLE_PREUPDATE_HOOK"]),
}

# Exactly the permissions Yatai needs, each with why. This is the one place a new permission goes.
FINISH_ARGS = {
    "--share=network": "the stall's bucket on Google Cloud Storage",
    "--share=ipc": "X11's shared memory, for the X11 fallback",
    "--socket=wayland": "the display",
    "--socket=fallback-x11": "the display where there is no Wayland",
    "--device=dri": "drawing with the GPU",
    "--socket=pulseaudio": "the kitchen's chime; PipeWire serves this socket too",
}
# The venue link (issue 17) finds the stall's other devices through Avahi on the system bus. Once the
# project depends on Avahi's client library, the manifest must let it talk to Avahi, and not before.
AVAHI_DEPENDENCIES = {"avahi-client", "avahi-gobject", "avahi-glib"}
AVAHI_FINISH_ARG = "--system-talk-name=org.freedesktop.Avahi"

# Never: the home folder or the host's file system (files go through the portals), the whole session
# or system bus, every device.
FORBIDDEN = re.compile(r"^--(filesystem=(home|host|host-os|host-etc|~).*|socket=(session-bus|system-bus)"
                       r"|device=all|talk-name=org\.freedesktop\.Flatpak)$")

CONNECT_TIMEOUT = 10    # seconds for a host to answer
DOWNLOAD_DEADLINE = 90  # seconds for one source in all, so a crawling mirror cannot hold CI up


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {what}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {what}")
            for line in detail.splitlines():
                print(f"# {line}")
        return cond

    def skip(self, what, why):
        self.n += 1
        print(f"ok {self.n} - {what} # SKIP {why}")

    def note(self, text):
        print(f"# {text}")


class Unreachable(Exception):
    pass


def download(url):
    """The bytes at url, or Unreachable when its host cannot be reached or answers with trouble."""
    start = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": "yatai-manifest-check"})
    try:
        with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT) as response:
            chunks = []
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                if time.monotonic() - start > DOWNLOAD_DEADLINE:
                    raise Unreachable(f"slower than {DOWNLOAD_DEADLINE} s")
            return b"".join(chunks)
    except urllib.error.HTTPError as e:
        if e.code >= 500 or e.code == 429:
            raise Unreachable(f"HTTP {e.code}") from e
        raise  # the host answered that the file is not there: the manifest is wrong
    except (urllib.error.URLError, OSError) as e:
        raise Unreachable(str(getattr(e, "reason", e))) from e


def meson_needs(archive_bytes):
    """The libraries the top-level meson.build of a source archive requires (dependency() calls
    without a `required:` other than true)."""
    with tarfile.open(fileobj=io.BytesIO(archive_bytes)) as tar:
        tops = [m for m in tar.getmembers() if m.isfile() and re.fullmatch(r"[^/]+/meson\.build", m.name)]
        if not tops:
            return None
        text = tar.extractfile(tops[0]).read().decode("utf-8", "replace")
    needs = []
    for m in re.finditer(r"dependency\s*\(", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        call = text[m.end():i - 1]
        name = re.match(r"\s*'([^']+)'", call)
        required = re.search(r"required\s*:\s*([^,)]+)", call)
        if name and (required is None or required.group(1).strip() == "true"):
            needs.append(name.group(1))
    return needs


def main(argv):
    manifest_path, build_root, app_id, command = argv[1:5]
    tap = Tap()

    try:
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        tap.ok(False, "the manifest parses", str(e))
        print(f"1..{tap.n}")
        return 1
    tap.ok(True, "the manifest parses")

    tap.ok(manifest.get("id") == app_id, f"its id is {app_id}", f"it is {manifest.get('id')!r}")
    tap.ok(manifest.get("command") == command, f"its command is {command}", f"it is {manifest.get('command')!r}")
    tap.ok((manifest.get("runtime"), manifest.get("sdk"), str(manifest.get("runtime-version"))) ==
           (RUNTIME, SDK, RUNTIME_VERSION), f"it builds on {RUNTIME}//{RUNTIME_VERSION} with {SDK}",
           f"it names {manifest.get('runtime')}//{manifest.get('runtime-version')} with {manifest.get('sdk')}")

    with open(f"{build_root}/meson-info/intro-dependencies.json", encoding="utf-8") as f:
        dependencies = {d["name"] for d in json.load(f)}

    # Permissions.
    expected = dict(FINISH_ARGS)
    if dependencies & AVAHI_DEPENDENCIES:
        expected[AVAHI_FINISH_ARG] = "finding the stall's other devices on the venue's network"
    args = manifest.get("finish-args", [])
    tap.ok(len(args) == len(set(args)), "no finish-arg is given twice", "\n".join(args))
    for arg, why in expected.items():
        tap.ok(arg in args, f"finish-args give {arg} ({why})")
    extra = [a for a in args if a not in expected]
    tap.ok(not extra, "finish-args give nothing else",
           "not needed by Yatai: " + ", ".join(extra) +
           ("\n(" + AVAHI_FINISH_ARG + " belongs there once the venue link depends on Avahi)"
            if AVAHI_FINISH_ARG in extra else ""))
    forbidden = [a for a in args if FORBIDDEN.match(a)]
    tap.ok(not forbidden, "no home folder, host file system, whole bus or every device", ", ".join(forbidden))

    # Modules: what the runtime lacks is built, and nothing is built for nothing.
    modules = manifest.get("modules", [])
    names = [m.get("name") if isinstance(m, dict) else m for m in modules]
    last = modules[-1] if modules else {}
    tap.ok(isinstance(last, dict) and last.get("name") == "yatai" and last.get("buildsystem") == "meson" and
           any(s.get("type") == "dir" and s.get("path") == ".." for s in last.get("sources", [])),
           "the last module builds Yatai with meson from this source tree")
    needed_modules = set()
    for dep in sorted(dependencies):
        if dep in MUST_BUILD:
            module, flags = MUST_BUILD[dep]
            needed_modules.add(module)
            found = next((m for m in modules if isinstance(m, dict) and m.get("name") == module), None)
            opts = " ".join(found.get("config-opts", [])) if found else ""
            tap.ok(found is not None and all(flag in opts for flag in flags),
                   f"{dep}: the runtime's lacks {' '.join(flags)}, so module {module} builds it with them",
                   "module missing" if found is None else f"config-opts: {opts}")
        elif dep in RUNTIME_PROVIDES:
            tap.ok(True, f"{dep}: in the runtime ({RUNTIME_PROVIDES[dep]})")
        else:
            tap.ok(dep in names, f"{dep}: not in the runtime, so a module builds it",
                   f"no module named {dep}; modules: {', '.join(map(str, names))}")
            needed_modules.add(dep)
    for name in names[:-1]:
        tap.ok(name in needed_modules, f"module {name} builds something Yatai needs",
               "no meson dependency of the project needs it")

    # Sources: checksums, where the host can be reached.
    unreachable = []
    provided = set(RUNTIME_PROVIDES)
    for module in modules:
        if not isinstance(module, dict):
            continue
        for source in module.get("sources", []):
            if not isinstance(source, dict) or source.get("type") not in ("archive", "file") or "url" not in source:
                continue
            url, sha = source["url"], source.get("sha256", "")
            what = f"{module['name']}: {url}"
            if not tap.ok(re.fullmatch(r"[0-9a-f]{64}", sha) is not None, f"{what} has a sha256", repr(sha)):
                continue
            try:
                data = download(url)
            except Unreachable as e:
                host = urllib.parse.urlsplit(url).hostname
                unreachable.append(host)
                tap.skip(f"{what}: sha256 matches", f"could not reach {host}: {e}")
                continue
            except urllib.error.HTTPError as e:
                tap.ok(False, f"{what} is there", f"HTTP {e.code}")
                continue
            actual = hashlib.sha256(data).hexdigest()
            tap.ok(actual == sha, f"{what}: sha256 matches ({len(data)} bytes)",
                   f"manifest: {sha}\ndownloaded: {actual}")
            if module.get("buildsystem") == "meson" and source.get("type") == "archive":
                needs = meson_needs(data)
                if needs is not None:
                    missing = [n for n in needs if n not in provided]
                    tap.ok(not missing, f"{module['name']}: what its meson.build requires is in the runtime "
                           "or built before it", "missing: " + ", ".join(missing))
        provided.add(module["name"])
        provided.update(d for d, (m, _) in MUST_BUILD.items() if m == module["name"])
    if unreachable:
        tap.note("not checked, the host could not be reached from here: " + ", ".join(sorted(set(unreachable))))

    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
