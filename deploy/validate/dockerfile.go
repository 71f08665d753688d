package main

import (
	"fmt"
	"os"
	"strings"
)

// checkDockerfile checks that the image's final stage (the default build
// target) sets a non-root USER and an ENTRYPOINT.
func checkDockerfile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	stage, user, entry := 0, "", false
	for _, raw := range strings.Split(string(data), "\n") {
		fields := strings.Fields(raw)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			stage, user, entry = stage+1, "", false
		case "USER":
			if len(fields) > 1 {
				user = fields[1]
			}
		case "ENTRYPOINT":
			entry = true
		}
	}
	switch {
	case stage == 0:
		return fmt.Errorf("%s: no FROM", path)
	case user == "":
		return fmt.Errorf("%s: the final stage sets no USER", path)
	case isRoot(user):
		return fmt.Errorf("%s: the final stage runs as root (USER %s)", path, user)
	case !entry:
		return fmt.Errorf("%s: the final stage has no ENTRYPOINT", path)
	}
	return nil
}

func isRoot(user string) bool {
	name, _, _ := strings.Cut(user, ":")
	return name == "root" || name == "0"
}
