package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The JUnit XML shape CI systems read (Jenkins, GitLab, GitHub actions):
// one testsuite for the run, one testcase per requirement.
type junitSuite struct {
	XMLName   xml.Name        `xml:"testsuite"`
	Name      string          `xml:"name,attr"`
	Tests     int             `xml:"tests,attr"`
	Failures  int             `xml:"failures,attr"`
	Skipped   int             `xml:"skipped,attr"`
	Time      string          `xml:"time,attr"`
	Timestamp string          `xml:"timestamp,attr"`
	Props     []junitProperty `xml:"properties>property"`
	Cases     []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: a testcase per requirement,
// named "ID title", with a failure element carrying the evidence or a
// skipped element carrying the reason. A failed recommendation is a
// failure marked "recommended" in its message.
func WriteJUnit(w io.Writer, r Report) error {
	s := junitSuite{Name: "federation conformance " + r.Target.Kind, Tests: r.Summary.Total,
		Failures: r.Summary.Failed, Skipped: r.Summary.Skipped, Time: seconds(r.Duration.Seconds()),
		Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
		Props: []junitProperty{{"kind", r.Target.Kind}, {"url", r.Target.URL}, {"region", r.Target.Region},
			{"time_zone", r.Target.TimeZone}, {"kit_version", r.Target.KitVersion}}}
	for _, res := range r.Results {
		c := junitCase{Name: res.ID + " " + res.Title, Classname: "conformance." + r.Target.Kind,
			Time: seconds(res.Duration.Seconds()), SystemOut: strings.Join(res.Log, "\n")}
		switch res.Status {
		case StatusFail:
			msg := "required requirement failed"
			if !res.Required {
				msg = "recommended requirement failed"
			}
			c.Failure = &junitMessage{Message: msg, Text: strings.Join(res.Evidence, "\n")}
		case StatusSkip:
			c.Skipped = &junitMessage{Message: strings.Join(res.Log, "; ")}
			c.SystemOut = ""
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("junit report: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
