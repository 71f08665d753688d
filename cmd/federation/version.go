package main

import (
	"cmp"
	"fmt"
	"io"
	"runtime/debug"
)

// printVersion writes what the binary was built from: the module and its
// version, and the VCS revision, commit time and whether the work tree had
// uncommitted changes (go build records them; go run and tests do not).
func printVersion(w io.Writer, bi *debug.BuildInfo, ok bool) {
	if !ok {
		fmt.Fprintln(w, "federation: no build information in this binary")
		return
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	fmt.Fprintf(w, "federation %s\n", cmp.Or(bi.Main.Version, "(devel)"))
	for _, f := range [][2]string{
		{"module", cmp.Or(bi.Main.Path, bi.Path)},
		{"revision", cmp.Or(settings["vcs.revision"], "unknown")},
		{"time", cmp.Or(settings["vcs.time"], "unknown")},
		{"modified", cmp.Or(settings["vcs.modified"], "unknown")},
		{"go", bi.GoVersion},
	} {
		fmt.Fprintf(w, "  %-9s %s\n", f[0], f[1])
	}
}
