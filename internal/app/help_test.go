package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app"
)

// Asking for help is not an error: every command prints its flags (or
// the usage) and succeeds, without touching a database.
func TestEveryCommandsHelpPrintsItsFlagsAndSucceeds(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--help"}, "-addr"},
		{[]string{"serve", "-h"}, "-database-url"},
		{[]string{"migrate", "--help"}, "-database-url"},
		{[]string{"dev", "--help"}, "-reset"},
		{[]string{"devdb", "--help"}, "-data-dir"},
		{[]string{"token", "create", "--help"}, "-role"},
		{[]string{"token", "--help"}, "irm token create"},
		{[]string{"--help"}, "Usage:"},
	} {
		t.Run("irm "+strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errs bytes.Buffer
			err := app.Run(context.Background(), append([]string{"irm"}, tc.args...), func(string) string { return "" }, &out, &errs)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got := out.String() + errs.String(); !strings.Contains(got, tc.want) {
				t.Fatalf("output does not mention %q:\n%s", tc.want, got)
			}
		})
	}
}
