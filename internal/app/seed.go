package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/demo"
)

// runSeed is "irm seed": synthetic States Parties, cycles, submissions in
// every status and ten years of statistics at scale, for benchmarks. A
// second run with the same arguments finds everything made and says so.
func runSeed(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", stderr)
	var c common
	c.register(fs, getenv)
	states := fs.Int("states", 193, "how many States (the first by code) to mark States Parties and seed")
	cycles := fs.Int("cycles", 10, "how many review cycles (seed-2027 and the years before it)")
	workers := fs.Int("workers", 4, "submissions saved at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("irm seed: unexpected argument %q", fs.Arg(0))
	}
	content, err := LoadContent(c.questionnaires)
	if err != nil {
		return err
	}
	pool, err := openDatabase(ctx, c.databaseURL, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := demo.SeedScale(ctx, pool, content.Registry, content.Indicators,
		demo.ScaleOptions{States: *states, Cycles: *cycles, Workers: *workers, Log: log})
	if err != nil {
		return err
	}
	// No service runs to chain the events written: chain them now, so
	// that a benchmark served from this database does not start with a
	// backlog for its sealer.
	if _, err := audit.SealAll(ctx, pool); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "irm seed --states %d --cycles %d: %s\n", *states, *cycles, rep)
	return nil
}
