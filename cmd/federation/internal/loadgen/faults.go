package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// injectFaults sets each configured region's faults through the
// simulator's admin endpoint and returns how to put the previous ones back (once, however often
// it is called).
func injectFaults(ctx context.Context, c *http.Client, cfg Config) (restore func() error, err error) {
	saved := map[string][]byte{}
	restore = sync.OnceValue(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var errs []error
		for region, body := range saved {
			errs = append(errs, putFaults(ctx, c, cfg.MIS[region], body))
		}
		return errors.Join(errs...)
	})
	for _, region := range slices.Sorted(maps.Keys(cfg.Faults)) {
		prev, err := getFaults(ctx, c, cfg.MIS[region])
		if err != nil {
			return restore, err
		}
		saved[region] = prev
		if err := putFaults(ctx, c, cfg.MIS[region], []byte(cfg.Faults[region])); err != nil {
			return restore, fmt.Errorf("region %s: %w", region, err)
		}
	}
	return restore, nil
}

func getFaults(ctx context.Context, c *http.Client, base string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/admin/faults", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read faults: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("read faults: http %d", resp.StatusCode)
	}
	return body, err
}

func putFaults(ctx context.Context, c *http.Client, base string, body []byte) error {
	return call(ctx, c, "PUT /admin/faults", http.MethodPut, base+"/admin/faults",
		http.Header{"Content-Type": {"application/json"}}, bytes.Clone(body), nil)
}
