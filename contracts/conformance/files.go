package conformance

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The file names WriteFiles writes in its directory.
const (
	JUnitFile = "report.xml"
	JSONFile  = "report.json"
	HTMLFile  = "report.html"
)

// WriteFiles writes the report into dir (created if missing) as
// report.xml (JUnit), report.json and report.html.
func WriteFiles(dir string, r Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	for name, write := range map[string]func(io.Writer, Report) error{
		JUnitFile: WriteJUnit, JSONFile: WriteJSON, HTMLFile: WriteHTML,
	} {
		if err := writeFile(filepath.Join(dir, name), r, write); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, r Report, write func(io.Writer, Report) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := write(f, r); err != nil {
		return errors.Join(fmt.Errorf("report %s: %w", path, err), f.Close())
	}
	return f.Close()
}
