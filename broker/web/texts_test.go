package web

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/fedhealth/federation/sagas"
)

func TestEveryTextTheTemplatesAndErrorsUseHasBothLanguages(t *testing.T) {
	used := map[string]bool{}
	key := regexp.MustCompile(`\.T "([a-z.]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pageErrors {
		used[e.key] = true
	}
	for _, e := range byKind {
		used[e.key] = true
	}
	for _, st := range []sagas.Status{sagas.StatusPending, sagas.StatusConfirmed, sagas.StatusRejected, sagas.StatusFailed,
		sagas.StatusCancelling, sagas.StatusCancelled, sagas.StatusVisited, sagas.StatusRescheduling} {
		used["status."+string(st)] = true
	}
	for _, src := range []sagas.Source{sagas.SourcePortal, sagas.SourceClinic, sagas.SourceOperator, sagas.SourceReconciliation} {
		used["source."+string(src)] = true
	}
	for k := range used {
		if t2, ok := texts[k]; !ok || t2[0] == "" || t2[1] == "" {
			t.Errorf("text %q lacks a language", k)
		}
	}
}

func TestTheLanguageSwitchGoesBackOnlyToThisSite(t *testing.T) {
	for _, c := range []struct{ back, want string }{
		{"/search?region=78", "/search?region=78"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/ok\r\nSet-Cookie: x", "/"},
	} {
		if got := localPath(c.back); got != c.want {
			t.Errorf("localPath(%q) = %q, want %q", c.back, got, c.want)
		}
	}
}

func TestTheTemplatesParse(t *testing.T) {
	if _, err := parsePages(); err != nil {
		t.Fatal(err)
	}
}
