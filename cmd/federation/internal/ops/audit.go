package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/contracts"
)

// Operator is who runs an operator command and why. Every command that
// changes something records both in the audit trail.
type Operator struct {
	// Name identifies the operator (the --operator flag, else $USER).
	Name string
	// Reason says why, for whoever reads the trail later: a ticket, the
	// cause that was fixed. Never a citizen's identifier.
	Reason string
}

// Validate reports a missing name or reason.
func (o Operator) Validate() error {
	switch {
	case o.Name == "":
		return fmt.Errorf("the operator's name is required for the audit trail (--operator, or $USER): %w", contracts.ErrInvalid)
	case o.Reason == "":
		return fmt.Errorf("a reason is required for the audit trail (--reason, e.g. the ticket): %w", contracts.ErrInvalid)
	}
	return nil
}

// maxDetail keeps an error's text within the trail's field limit.
const maxDetail = 1000

// Audited runs act, an operator's action on bookingID (may be empty), and
// records it in trail with its outcome. It refuses to act when the record
// could not be written: an invalid operator or reason, or a trail that
// cannot be reached. act may complete the record (the booking a dead
// letter belonged to, what it targeted). The action's error is returned;
// if the action was done but its record could not be stored, the error
// says so.
func Audited(ctx context.Context, trail *audit.Store, op Operator, action audit.Action, bookingID string, act func(*audit.Record) error) error {
	rec := audit.Record{ActorKind: audit.Operator, Actor: op.Name, Action: action, BookingID: bookingID,
		Outcome: audit.OK, Reason: op.Reason}
	if err := op.Validate(); err != nil {
		return err
	}
	if err := rec.Validate(); err != nil {
		return err
	}
	if err := trail.Check(ctx); err != nil {
		return fmt.Errorf("nothing done: %w", err)
	}
	actErr := act(&rec)
	if actErr != nil {
		rec.Outcome, rec.Detail = audit.Failed, oneLine(actErr.Error(), maxDetail)
	}
	if !audit.FitsBookingID(rec.BookingID) {
		rec.BookingID, rec.Target = "", strings.TrimSuffix(audit.MalformedBookingID+"; "+rec.Target, "; ")
	}
	rec.Target = oneLine(rec.Target, maxDetail)
	if _, err := trail.Append(context.WithoutCancel(ctx), rec); err != nil {
		if actErr == nil {
			return fmt.Errorf("%s done, but its audit record was not written: %w", action, err)
		}
		return errors.Join(actErr, fmt.Errorf("audit record not written: %w", err))
	}
	return actErr
}

// oneLine makes s fit a record's text field: control characters become
// spaces, and it is cut to at most limit bytes of valid UTF-8.
func oneLine(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "")
	}
	return s
}
