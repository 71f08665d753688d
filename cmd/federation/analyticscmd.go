package main

import (
	"context"
	"fmt"
	"io"

	"github.com/fedhealth/federation/broker/analytics"
)

// runAnalytics is "federation analytics rebuild": empty the analysts'
// read model and have every instance's consumer re-read the events topic.
func runAnalytics(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	synopsis := "Usage: federation analytics rebuild --config FILE\n\nrebuild empties the analytics read model and starts its next generation:\nevery running instance's analytics consumer notices within seconds, joins\nthe new generation's consumer group and re-reads the events topic from the\nearliest offset Kafka still retains (the topic's retention decides how far\nback the figures reach). Flags:"
	fs := newFlags("analytics", synopsis)
	var t target
	t.storeFlags(fs)
	verb, err := parseVerb(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	if verb != "rebuild" {
		fs.Usage()
		return fmt.Errorf("unknown analytics command %q", verb)
	}
	opts, err := t.options()
	if err != nil {
		return err
	}
	db, err := t.database()
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := analytics.NewStore(ctx, db, true, nil, nil) // tools never change the schema
	if err != nil {
		return err
	}
	gen, err := st.Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "analytics emptied; generation %d (consumer group %s) re-reads the events topic\n", gen,
		analytics.GroupName(opts.KafkaNamespace+analytics.GroupPrefix, gen))
	return nil
}
