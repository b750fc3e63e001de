package state_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/state"
)

func TestReferenceHoldsThe193MemberStatesInTheirRegionalGroups(t *testing.T) {
	ctx := context.Background()
	store := state.NewStore(pgtest.New(t))
	all, err := store.List(ctx, state.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 193 {
		t.Fatalf("got %d States, want 193", len(all))
	}
	want := map[string]int{"AFRICAN": 54, "ASIA_PACIFIC": 54, "EASTERN_EUROPEAN": 23, "LATIN_AMERICAN_CARIBBEAN": 33, "WESTERN_EUROPEAN_OTHER": 29}
	for _, g := range state.RegionalGroups() {
		group := g
		in, err := store.List(ctx, state.Filter{RegionalGroup: &group})
		if err != nil {
			t.Fatal(err)
		}
		if len(in) != want[g] {
			t.Errorf("%s: got %d States, want %d", g, len(in), want[g])
		}
	}
	for code, name := range map[string]string{"CIV": "Côte d'Ivoire", "TUR": "Türkiye"} {
		s, err := store.Get(ctx, code)
		if err != nil || s.Name != name {
			t.Errorf("%s: got %q, %v; want %q", code, s.Name, err, name)
		}
	}
	if len(state.Codes()) != 193 {
		t.Errorf("Codes: got %d, want 193", len(state.Codes()))
	}
}

func TestPartyIsTheSecretariatsAndSurvivesAReferenceSync(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.New(t)
	store := state.NewStore(pool)
	sec := auth.Principal{Name: "sec", Role: auth.Secretariat}
	if _, err := store.SetParty(ctx, auth.Principal{Name: "fp", Role: auth.FocalPoint, State: "KEN"}, "KEN", true); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a focal point set party: got %v, want FORBIDDEN", err)
	}
	s, err := store.SetParty(ctx, sec, "ken", true)
	if err != nil || !s.Party || s.Code != "KEN" {
		t.Fatalf("got %+v, %v; want KEN a Party", s, err)
	}
	if err := state.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	party := true
	parties, err := store.List(ctx, state.Filter{Party: &party})
	if err != nil || len(parties) != 1 || parties[0].Code != "KEN" {
		t.Fatalf("after a sync: got %+v, %v; want KEN alone", parties, err)
	}
	var events int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'state.set_party' AND subject = 'state/KEN'`).Scan(&events); err != nil || events != 1 {
		t.Fatalf("got %d audit events, %v; want 1", events, err)
	}
}

func TestCodesThatNoStateHasAreNotFound(t *testing.T) {
	store := state.NewStore(pgtest.New(t))
	sec := auth.Principal{Name: "sec", Role: auth.Secretariat}
	for _, code := range []string{"XXX", "KE", "KENY", "K\x00N", "", "1AB"} {
		if _, err := store.Get(context.Background(), code); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("Get(%q): got %v, want NOT_FOUND", code, err)
		}
		if _, err := store.SetParty(context.Background(), sec, code, true); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("SetParty(%q): got %v, want NOT_FOUND", code, err)
		}
	}
}

func TestEveryStateHasItsNameInTheSixLanguages(t *testing.T) {
	for _, code := range state.Codes() {
		for _, lang := range []string{"ar", "zh", "en", "fr", "ru", "es"} {
			if n, ok := state.NameIn(code, lang); !ok || n == "" {
				t.Errorf("%s has no name in %s", code, lang)
			}
		}
	}
	for _, c := range []struct{ code, lang, want string }{
		{"CIV", "en", "Côte d'Ivoire"},
		{"RUS", "fr", "Fédération de Russie"},
		{"RUS", "ru", "Российская Федерация"},
		{"CHN", "zh", "中国"},
		{"EGY", "ar", "مصر"},
		{"GBR", "es", "Reino Unido de Gran Bretaña e Irlanda del Norte"},
		{"gha", "ru", "Гана"},
		// checked against UNTERM's and M49's short names (issue 13)
		{"DOM", "zh", "多米尼加"},
		{"DMA", "zh", "多米尼克"},
		{"OMN", "ar", "عمان"},
		{"TUR", "ru", "Турция"},
	} {
		if got, _ := state.NameIn(c.code, c.lang); got != c.want {
			t.Errorf("NameIn(%s, %s) = %q, want %q", c.code, c.lang, got, c.want)
		}
	}
	if _, ok := state.NameIn("CIV", "de"); ok {
		t.Error("a name in German, which the reference does not have")
	}
}

// TestNamesAreTheUNShortNames: issue 17 found Nauru listed as "Naoero";
// the reference list now follows the UN's list of Member States.
func TestNamesAreTheUNShortNames(t *testing.T) {
	for code, want := range map[string]string{"NRU": "Nauru", "BHS": "Bahamas", "CIV": "Côte d'Ivoire", "TUR": "Türkiye", "CZE": "Czechia"} {
		if got, ok := state.NameIn(code, "en"); !ok || got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
}

// TestStatesSortByTheirNameInTheReadersLanguage: issue 17 found lists
// sorted by ISO3 code (Croatia, HRV, under H).
func TestStatesSortByTheirNameInTheReadersLanguage(t *testing.T) {
	codes := []string{"HRV", "CHN", "DEU", "CZE"}
	for lang, want := range map[string][]string{
		"en": {"CHN", "HRV", "CZE", "DEU"}, // China, Croatia, Czechia, Germany
		"fr": {"DEU", "CHN", "HRV", "CZE"}, // Allemagne, Chine, Croatie, Tchéquie
	} {
		got := slices.Clone(codes)
		state.SortByName(got, lang, func(c string) string { return c })
		if !slices.Equal(got, want) {
			t.Errorf("in %s: %v, want %v", lang, got, want)
		}
	}
}
