package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/fedhealth/federation/regions/feed/wire"
)

// ErrBadManifest marks a manifest that does not parse or breaks the
// specification (no transactionTime, too many files, an unknown layout).
var ErrBadManifest = errors.New("manifest breaks the SMART Scheduling Links format")

// Sync outcomes: the "outcome" attribute of feed.syncs and Status.LastOutcome.
const (
	OutcomeOK          = "ok"           // a new data set is in force
	OutcomeNotModified = "not_modified" // 304: the data set in force is current
	OutcomeRefused     = "refused"      // the manifest lists a file off the origin
	OutcomeBroken      = "broken"       // the manifest does not parse or breaks the format
	OutcomeTooLarge    = "too_large"    // a body beyond its bound
	OutcomeUnavailable = "unavailable"  // no answer, an error status, a timeout
)

// Sync polls the publisher once: the manifest (conditionally), then each
// of its files (conditionally). Only a sync that read everything replaces
// the data set in force; a 304 on the manifest keeps it and counts as a
// successful sync. Every failure keeps the last good data and is returned
// (also shown in Status). Syncs run one at a time.
func (s *Source) Sync(ctx context.Context) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	err := s.sync(ctx)
	outcome := outcomeOf(err)
	if errors.Is(err, errNotModified) {
		err = nil
	}
	s.record(ctx, outcome, err)
	if err != nil {
		return fmt.Errorf("sync slot feed of region %s: %w", s.cfg.Region.Code, err)
	}
	return nil
}

// errNotModified is sync's way of saying 304; Sync turns it into success.
var errNotModified = errors.New("not modified")

func outcomeOf(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, errNotModified):
		return OutcomeNotModified
	case errors.Is(err, ErrForeignOrigin):
		return OutcomeRefused
	case errors.Is(err, ErrTooLarge):
		return OutcomeTooLarge
	case errors.Is(err, ErrBadManifest):
		return OutcomeBroken
	}
	return OutcomeUnavailable
}

func (s *Source) sync(ctx context.Context) error {
	a, err := s.get(ctx, s.manifest, s.manifestV, "application/fhir+json, application/json")
	if err != nil {
		return err
	}
	if a.notModified {
		return errNotModified
	}
	m, published, err := s.readManifest(a)
	if err != nil {
		return err
	}
	outputs, err := s.resolveOutputs(m)
	if err != nil {
		return err
	}
	files, err := s.fetchFiles(ctx, outputs)
	if err != nil {
		return err
	}
	s.commit(ctx, s.build(files, published), files, outputs, a.validators)
	return nil
}

// readManifest decodes and checks the manifest body.
func (s *Source) readManifest(a answer) (wire.Manifest, time.Time, error) {
	defer a.body.Close()
	var m wire.Manifest
	body := newBoundedBody(a.body, s.cfg.MaxManifestBytes, "manifest")
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return m, time.Time{}, err
		}
		return m, time.Time{}, fmt.Errorf("manifest does not parse: %v: %w", err, ErrBadManifest)
	}
	published, ok := parseInstant(m.TransactionTime)
	switch {
	case !ok:
		return m, time.Time{}, fmt.Errorf("manifest transactionTime %q is not an instant: %w", m.TransactionTime, ErrBadManifest)
	case len(m.Output) > s.cfg.MaxFiles:
		return m, time.Time{}, fmt.Errorf("manifest lists %d files, more than %d: %w", len(m.Output), s.cfg.MaxFiles, ErrTooLarge)
	}
	if len(m.Error) > 0 {
		s.log.Warn("slot feed manifest reports errors of its own", "error_files", len(m.Error))
	}
	return m, published, nil
}

// output is one file of the manifest the source reads.
type output struct {
	kind string
	url  *url.URL
}

// resolveOutputs keeps the Location, Schedule and Slot files and refuses
// the whole manifest when any file is off the origin.
func (s *Source) resolveOutputs(m wire.Manifest) ([]output, error) {
	var out []output
	for _, o := range m.Output {
		u, err := resolveFile(s.manifest, o.URL, s.home)
		if err != nil {
			return nil, fmt.Errorf("manifest refused: %w", err)
		}
		switch o.Type {
		case wire.TypeLocation, wire.TypeSchedule, wire.TypeSlot:
			out = append(out, output{kind: o.Type, url: u})
		}
	}
	return out, nil
}

// fetchFiles reads every file, reusing the last good copy of one that
// answers 304.
func (s *Source) fetchFiles(ctx context.Context, outputs []output) ([]*fileData, error) {
	files := make([]*fileData, 0, len(outputs))
	for _, o := range outputs {
		prev := s.files[o.url.String()]
		var pv validators
		if prev != nil && prev.kind == o.kind {
			pv = prev.validators
		}
		a, err := s.get(ctx, o.url, pv, wire.NDJSONContentType+", application/x-ndjson, */*")
		if err != nil {
			return nil, err
		}
		if a.notModified {
			files = append(files, prev)
			continue
		}
		f, err := readNDJSON(newBoundedBody(a.body, s.cfg.MaxFileBytes, o.kind+" file "+shown(o.url)), o.kind, s.cfg.MaxLineBytes)
		a.body.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s file %s: %w", o.kind, shown(o.url), err)
		}
		f.validators = a.validators
		files = append(files, f)
	}
	return files, nil
}

// commit puts a new data set in force.
func (s *Source) commit(ctx context.Context, snap *snapshot, files []*fileData, outputs []output, mv validators) {
	s.files = make(map[string]*fileData, len(files))
	for i, f := range files {
		s.files[outputs[i].url.String()] = f
	}
	s.manifestV = mv
	s.tel.skip(ctx, s.cfg.Region.Code, snap.skipped)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap = snap
}

// record notes the attempt's outcome for Status and the metrics.
func (s *Source) record(ctx context.Context, outcome string, err error) {
	now := s.cfg.Now()
	s.tel.sync(context.WithoutCancel(ctx), s.cfg.Region.Code, outcome)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.lastAttempt, s.state.lastOutcome, s.state.lastErr = now, outcome, ""
	switch {
	case err == nil:
		s.state.lastSync = now
	case outcome == OutcomeRefused:
		s.state.refused++
		fallthrough
	default:
		s.state.lastErr = err.Error()
	}
}
