// Package state owns the UN Member States: the embedded reference list
// (codes, names, regional groups, the developing classification) and the
// secretariat's record of which States are Parties to the Convention.
package state

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
)

//go:embed states.csv
var referenceCSV []byte

// Reference returns the embedded reference file's bytes.
func Reference() []byte { return referenceCSV }

// regionalGroups lists the UN regional groups in the contract's order.
var regionalGroups = []string{"AFRICAN", "ASIA_PACIFIC", "EASTERN_EUROPEAN", "LATIN_AMERICAN_CARIBBEAN", "WESTERN_EUROPEAN_OTHER"}

// RegionalGroups returns the UN regional groups in the contract's order
// (a copy: no importer can change the list).
func RegionalGroups() []string { return slices.Clone(regionalGroups) }

// State is a UN Member State.
type State struct {
	Code          string
	Name          string
	RegionalGroup string // "" where the State belongs to none
	Developing    bool
	Party         bool
}

// nameLanguages are the languages of the reference's name_* columns, in
// their order: the UN's other five official languages.
var nameLanguages = []string{"ar", "zh", "fr", "ru", "es"}

// reference is a State of the reference file with its names in the six
// official languages.
type reference struct {
	State
	names map[string]string // by language; "en" is Name
}

// parseReference reads the reference CSV: comment lines start with '#',
// then a header iso3,name,regional_group,developing,name_ar,name_zh,
// name_fr,name_ru,name_es.
func parseReference(data []byte) ([]State, error) {
	refs, err := parseReferenceNames(data)
	if err != nil {
		return nil, err
	}
	out := make([]State, len(refs))
	for i, r := range refs {
		out[i] = r.State
	}
	return out, nil
}

func parseReferenceNames(data []byte) ([]reference, error) {
	var body bytes.Buffer
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("#")) {
			body.Write(line)
		}
	}
	r := csv.NewReader(&body)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("states reference: %w", err)
	}
	if strings.Join(header, ",") != "iso3,name,regional_group,developing,name_"+strings.Join(nameLanguages, ",name_") {
		return nil, fmt.Errorf("states reference: unexpected header %q", header)
	}
	var out []reference
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("states reference: %w", err)
		}
		dev, err := strconv.ParseBool(rec[3])
		if err != nil {
			return nil, fmt.Errorf("states reference: %s: developing: %w", rec[0], err)
		}
		ref := reference{State: State{Code: rec[0], Name: rec[1], RegionalGroup: rec[2], Developing: dev},
			names: map[string]string{"en": rec[1]}}
		for i, lang := range nameLanguages {
			if n := strings.TrimSpace(rec[4+i]); n != "" {
				ref.names[lang] = n
			}
		}
		out = append(out, ref)
	}
	return out, nil
}

var (
	namesOnce sync.Once
	names     map[string]map[string]string // code → language → name
)

// NameIn is the UN short name of State code in lang (ar zh en fr ru es),
// from the reference file; false when the reference has none.
func NameIn(code, lang string) (string, bool) {
	namesOnce.Do(func() {
		names = map[string]map[string]string{}
		refs, err := parseReferenceNames(referenceCSV)
		if err != nil {
			return // the tests parse the embedded file; Sync reports the error
		}
		for _, r := range refs {
			names[r.Code] = r.names
		}
	})
	n, ok := names[strings.ToUpper(code)][lang]
	return n, ok
}

// Sync brings the states table in line with the reference file. It never
// touches party, which belongs to the secretariat.
func Sync(ctx context.Context, pool *pgxpool.Pool) error {
	states, err := parseReference(referenceCSV)
	if err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for _, s := range states {
		var group *string
		if s.RegionalGroup != "" {
			group = &s.RegionalGroup
		}
		batch.Queue(`INSERT INTO states (code, name, regional_group, developing) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, regional_group = EXCLUDED.regional_group,
				developing = EXCLUDED.developing
			WHERE (states.name, states.regional_group, states.developing)
				IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.regional_group, EXCLUDED.developing)`,
			s.Code, s.Name, group, s.Developing)
	}
	if err := pool.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("sync states: %w", err)
	}
	return nil
}

// ValidCode reports whether code has the shape of an ISO 3166-1 alpha-3
// code (any case). Callers check it before a code reaches SQL, so that
// input no State can have is NOT_FOUND rather than a database error.
func ValidCode(code string) bool {
	if len(code) != 3 {
		return false
	}
	for _, c := range code {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// Store reads and updates States.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns a store over pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Filter narrows List; nil fields do not filter.
type Filter struct {
	RegionalGroup *string
	Party         *bool
}

const columns = `code, name, coalesce(regional_group, ''), developing, party`

func scan(row pgx.Row) (State, error) {
	var s State
	err := row.Scan(&s.Code, &s.Name, &s.RegionalGroup, &s.Developing, &s.Party)
	return s, err
}

// List returns the States matching f, ordered by code.
func (st *Store) List(ctx context.Context, f Filter) ([]State, error) {
	rows, err := st.pool.Query(ctx, `SELECT `+columns+` FROM states
		WHERE ($1::text IS NULL OR regional_group = $1) AND ($2::boolean IS NULL OR party = $2)
		ORDER BY code`, f.RegionalGroup, f.Party)
	if err != nil {
		return nil, fmt.Errorf("list states: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (State, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("list states: %w", err)
	}
	return out, nil
}

// Get returns one State by code (case-insensitive).
func (st *Store) Get(ctx context.Context, code string) (State, error) {
	if !ValidCode(code) {
		return State{}, apperr.NotFoundT("no State with code \"{code}\"", "code", code)
	}
	s, err := scan(st.pool.QueryRow(ctx, `SELECT `+columns+` FROM states WHERE code = $1`, strings.ToUpper(code)))
	if errors.Is(err, pgx.ErrNoRows) {
		return State{}, apperr.NotFoundT("no State with code \"{code}\"", "code", code)
	}
	if err != nil {
		return State{}, fmt.Errorf("get state: %w", err)
	}
	return s, nil
}

// GetMany returns the States with the given codes, in the same order; an
// unknown code gives an error. It serves per-request dataloaders.
func (st *Store) GetMany(ctx context.Context, codes []string) ([]State, error) {
	rows, err := st.pool.Query(ctx, `SELECT `+columns+` FROM states WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, fmt.Errorf("get states: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (State, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("get states: %w", err)
	}
	byCode := make(map[string]State, len(found))
	for _, s := range found {
		byCode[s.Code] = s
	}
	out := make([]State, len(codes))
	for i, c := range codes {
		s, ok := byCode[c]
		if !ok {
			return nil, apperr.NotFoundT("no State with code \"{code}\"", "code", c)
		}
		out[i] = s
	}
	return out, nil
}

// SetParty records whether a State is a Party to the Convention.
func (st *Store) SetParty(ctx context.Context, p auth.Principal, code string, party bool) (State, error) {
	if err := auth.CanSetStateParty(p); err != nil {
		return State{}, err
	}
	if !ValidCode(code) {
		return State{}, apperr.NotFoundT("no State with code \"{code}\"", "code", code)
	}
	var out State
	err := auth.Tx(ctx, st.pool, p, func(tx pgx.Tx) error {
		var was bool
		err := tx.QueryRow(ctx, `SELECT party FROM states WHERE code = $1 FOR UPDATE`, strings.ToUpper(code)).Scan(&was)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundT("no State with code \"{code}\"", "code", code)
		}
		if err != nil {
			return fmt.Errorf("set party: %w", err)
		}
		out, err = scan(tx.QueryRow(ctx, `UPDATE states SET party = $2 WHERE code = $1 RETURNING `+columns,
			strings.ToUpper(code), party))
		if err != nil {
			return fmt.Errorf("set party: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "state.set_party",
			Subject: "state/" + out.Code, Detail: map[string]bool{"party": party, "was": was}})
	})
	return out, err
}

// Codes returns the ISO 3166-1 alpha-3 codes of the reference States,
// sorted; they fill the catalogue's "states" code list.
func Codes() []string {
	states, err := parseReference(referenceCSV)
	if err != nil {
		panic(err) // the file is embedded and checked by the tests
	}
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = s.Code
	}
	return out
}

var known = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, c := range Codes() {
		set[c] = true
	}
	return set
})

// Known reports whether code (upper case) is a UN Member State of the
// reference data, which the states table holds in step (Sync): a check
// that needs no round trip.
func Known(code string) bool { return known()[code] }

// SortByName sorts items by the name of their State in lang (the UN
// short name, English where none is known), in lang's alphabetical order
// (CLDR collation): Croatia under C, not under H by its code.
func SortByName[T any](items []T, lang string, codeOf func(T) string) {
	c := collate.New(language.Make(lang))
	name := func(code string) string {
		if n, ok := NameIn(code, lang); ok && n != "" {
			return n
		}
		if n, ok := NameIn(code, "en"); ok {
			return n
		}
		return code
	}
	slices.SortStableFunc(items, func(a, b T) int { return c.CompareString(name(codeOf(a)), name(codeOf(b))) })
}
