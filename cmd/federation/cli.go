package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
)

// errUsage is a command line the command cannot run; the mistake and the
// usage have been printed already.
var errUsage = errors.New("usage")

// newFlags returns the flag set of command name. Its usage, the synopsis
// and then the flags, goes to the flag set's output, which parseFlags
// points at stdout for help and at stderr for a mistake.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs. Help asked for (-h, --help) prints the
// usage to stdout and returns flag.ErrHelp, which exits 0; a mistake
// prints the mistake and the usage to stderr and returns errUsage. Usage
// printed later (a required flag missing) goes to stderr.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		_, _ = out.WriteTo(stdout)
		return flag.ErrHelp
	case err != nil:
		_, _ = out.WriteTo(stderr)
		return errUsage
	}
	return nil
}

// helpAsked reports whether args ask for help, for the commands whose flag
// sets live in their own packages and print to the writer they are given
// (loadgen, drill): their usage then goes to stdout too.
func helpAsked(args []string) bool {
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[:i]
	}
	return slices.ContainsFunc(args, func(a string) bool {
		return a == "-h" || a == "--h" || a == "-help" || a == "--help"
	})
}

// exitCode is the process's exit status for run's error: 0 for success and
// for help asked for, 1 for a conformance run with a required check failed
// (its report printed already), 2 otherwise. An error other than errUsage
// and errChecksFailed is printed.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errChecksFailed):
		return 1
	case !errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "federation:", err)
	}
	return 2
}
