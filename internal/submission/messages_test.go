package submission_test

import (
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
)

// TestExtensionRefusalsInTheReadersLanguage (issue 13): a refused
// extension is told in the reader's language with its dates and State
// filled in; the English message stays the same.
func TestExtensionRefusalsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.closedCycle(t, "2020")
	_, early := w.svc.GrantExtension(as(secretariat), secretariat, "2020", "FRA", date(2020, 6, 30), "Earlier")
	_, noReason := w.svc.GrantExtension(as(secretariat), secretariat, "2020", "FRA", date(2021, 2, 28), " ")
	_, noState := w.svc.GrantExtension(as(secretariat), secretariat, "2020", "XYZ", date(2021, 2, 28), "Why")
	for _, c := range []struct {
		name, english, french string
		err                   error
	}{
		{"earlier", "an extension's closesOn (2020-06-30) must be later than the cycle's closesOn (2020-12-31)",
			"le closesOn d'une prolongation (2020-06-30) doit être postérieur au closesOn du cycle (2020-12-31)", early},
		{"no reason", "an extension needs a reason", "une prolongation exige un motif", noReason},
		{"unknown State", `no State with code "XYZ"`, "aucun État n'a le code « XYZ »", noState},
	} {
		if c.err == nil || c.err.Error() != c.english {
			t.Errorf("%s: English %v, want %q", c.name, c.err, c.english)
			continue
		}
		if fr := apperr.Message(c.err, "fr"); fr != c.french {
			t.Errorf("%s: French %q, want %q", c.name, fr, c.french)
		}
		if ar := apperr.Message(c.err, "ar"); ar == c.english || (c.name == "earlier" && !strings.Contains(ar, "2020-06-30")) {
			t.Errorf("%s: Arabic %q", c.name, ar)
		}
	}
}
