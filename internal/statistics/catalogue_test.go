package statistics

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/questionnaires"
)

func TestShippedCatalogue(t *testing.T) {
	cat := shipped(t)

	t.Run("it holds at least 15 indicators, each with a name, a unit and a working group", func(t *testing.T) {
		if got := len(cat.Indicators); got < 15 {
			t.Fatalf("got %d indicators, want at least 15", got)
		}
		for _, ind := range cat.Indicators {
			if ind.Name == "" || ind.Unit == "" || len(ind.WorkingGroups) == 0 {
				t.Errorf("%s: name %q, unit %q, working groups %v: want all three", ind.Code, ind.Name, ind.Unit, ind.WorkingGroups)
			}
			if ind.Aggregation != "sum" && ind.Aggregation != "median" {
				t.Errorf("%s: aggregation %q, want sum or median", ind.Code, ind.Aggregation)
			}
			if len(ind.Dimensions) != len(ind.DimensionIDs) {
				t.Errorf("%s: %d dimensions resolved for ids %v", ind.Code, len(ind.Dimensions), ind.DimensionIDs)
			}
		}
	})

	// Every family the issue asks for, with the unit and the breakdown the
	// Convention's review needs.
	families := []struct {
		code, unit  string
		integer     bool
		dimension   string // a dimension the indicator must carry, "" for none
		aggregation string
	}{
		{"OFFENCES_RECORDED", "count", true, "offence", "sum"},
		{"PERSONS_PROSECUTED", "persons", true, "offence", "sum"},
		{"PERSONS_CONVICTED", "persons", true, "offence", "sum"},
		{"MLA_REQUESTS_SENT", "count", true, "partner", "sum"},
		{"MLA_REQUESTS_RECEIVED", "count", true, "partner", "sum"},
		{"MLA_REQUESTS_EXECUTED", "count", true, "partner", "sum"},
		{"MLA_EXECUTION_DAYS_MEDIAN", "days", false, "", "median"},
		{"EXTRADITION_REQUESTS_SENT", "count", true, "partner", "sum"},
		{"EXTRADITION_REQUESTS_RECEIVED", "count", true, "partner", "sum"},
		{"PRESERVATION_REQUESTS_SENT", "count", true, "partner", "sum"},
		{"PRESERVATION_REQUESTS_RECEIVED", "count", true, "partner", "sum"},
		{"NETWORK_24_7_REQUESTS_SENT", "count", true, "partner", "sum"},
		{"NETWORK_24_7_REQUESTS_RECEIVED", "count", true, "partner", "sum"},
		{"PERSONS_TRAINED", "persons", true, "profession", "sum"},
		{"TA_PROJECTS_RECEIVED", "count", true, "", "sum"},
		{"TA_PROJECTS_DELIVERED", "count", true, "", "sum"},
		{"PROCEEDS_FROZEN", "USD", false, "", "sum"},
		{"PROCEEDS_CONFISCATED", "USD", false, "", "sum"},
		{"PROCEEDS_RETURNED", "USD", false, "", "sum"},
	}
	for _, fam := range families {
		t.Run(fam.code+" is in the catalogue as "+fam.unit, func(t *testing.T) {
			ind, ok := cat.Indicator(fam.code)
			if !ok {
				t.Fatalf("no indicator %s", fam.code)
			}
			if ind.Unit != fam.unit || ind.Integer != fam.integer || ind.Aggregation != fam.aggregation {
				t.Errorf("got unit %s integer %v aggregation %s, want %s %v %s",
					ind.Unit, ind.Integer, ind.Aggregation, fam.unit, fam.integer, fam.aggregation)
			}
			if ind.Minimum == nil || *ind.Minimum != 0 {
				t.Errorf("got minimum %s, want 0: none of these can be negative", show(ind.Minimum))
			}
			if fam.dimension != "" {
				if _, ok := ind.Dimension(fam.dimension); !ok {
					t.Errorf("got dimensions %v, want %s among them", ind.DimensionIDs, fam.dimension)
				}
			}
		})
	}

	t.Run("the offence dimension lists the Convention's offences", func(t *testing.T) {
		d := dimension(t, cat, "offence")
		for _, v := range []string{"illegal_access", "illegal_interception", "interference_with_data",
			"interference_with_systems", "misuse_of_devices", "computer_related_forgery", "computer_related_fraud_theft",
			"child_sexual_abuse_material", "solicitation_grooming", "non_consensual_intimate_images", "laundering_proceeds_of_crime"} {
			if !d.Allows(v) {
				t.Errorf("offence does not allow %q", v)
			}
		}
	})

	t.Run("the partner dimension holds exactly the 193 ISO3 codes of the States", func(t *testing.T) {
		d := dimension(t, cat, "partner")
		codes := state.Codes()
		if len(codes) != 193 {
			t.Fatalf("the reference lists %d States, want 193", len(codes))
		}
		if got := slices.Sorted(slices.Values(d.Values)); !slices.Equal(got, slices.Sorted(slices.Values(codes))) {
			t.Fatalf("got %d partner values, want the 193 State codes", len(d.Values))
		}
		for _, c := range codes {
			if !d.Allows(c) {
				t.Errorf("partner does not allow %s", c)
			}
		}
		for _, bad := range []string{"XXX", "ken", "KE", "", "EU"} {
			if d.Allows(bad) {
				t.Errorf("partner allows %q, want only ISO3 codes of States", bad)
			}
		}
	})

	t.Run("cooperation sent and received indicators share the partner dimension", func(t *testing.T) {
		for _, code := range []string{"MLA_REQUESTS_SENT", "MLA_REQUESTS_RECEIVED", "EXTRADITION_REQUESTS_SENT",
			"EXTRADITION_REQUESTS_RECEIVED", "PRESERVATION_REQUESTS_SENT", "PRESERVATION_REQUESTS_RECEIVED"} {
			ind, _ := cat.Indicator(code)
			d, ok := ind.Dimension("partner")
			if !ok || d != dimension(t, cat, "partner") {
				t.Errorf("%s does not carry the catalogue's partner dimension", code)
			}
		}
	})

	t.Run("ForWorkingGroup returns the indicators tagged with the group", func(t *testing.T) {
		got := codesOf(cat.ForWorkingGroup("asset-recovery"))
		for _, want := range []string{"PROCEEDS_FROZEN", "PROCEEDS_CONFISCATED", "PROCEEDS_RETURNED"} {
			if !slices.Contains(got, want) {
				t.Errorf("asset-recovery: got %v, want %s among them", got, want)
			}
		}
		if slices.Contains(got, "OFFENCES_RECORDED") {
			t.Errorf("asset-recovery: got %v, want no prevention indicator", got)
		}
		if got := cat.ForWorkingGroup("no-such-group"); len(got) != 0 {
			t.Errorf("unknown group: got %v, want none", codesOf(got))
		}
	})
}

func dimension(t *testing.T, cat *Catalogue, id string) *Dimension {
	t.Helper()
	for _, d := range cat.Dimensions {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("no dimension %q", id)
	return nil
}

func codesOf(inds []*Indicator) []string {
	out := make([]string, len(inds))
	for i, ind := range inds {
		out[i] = ind.Code
	}
	return out
}

// brokenCatalogue returns the shipped catalogue files with the indicators
// document changed by edit.
func brokenCatalogue(t *testing.T, edit func(doc map[string]any)) fstest.MapFS {
	t.Helper()
	src := questionnaires.Catalogue()
	data, err := fs.ReadFile(src, IndicatorsFile)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := fs.ReadFile(src, IndicatorsSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{
		IndicatorsFile:       {Data: out},
		IndicatorsSchemaFile: {Data: schema},
	}
}

func indicatorAt(doc map[string]any, i int) map[string]any {
	return doc["indicators"].([]any)[i].(map[string]any)
}

func TestBrokenCatalogueIsRefused(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(doc map[string]any)
		files   fstest.MapFS // instead of edit
		noGroup string       // a working group the service does not know
		wantErr string
	}{
		{
			name:    "an indicator naming an unknown dimension",
			edit:    func(doc map[string]any) { indicatorAt(doc, 0)["dimensions"] = []any{"offence", "colour"} },
			wantErr: `unknown dimension "colour"`,
		},
		{
			name: "two indicators with the same code",
			edit: func(doc map[string]any) {
				inds := doc["indicators"].([]any)
				indicatorAt(doc, 1)["code"] = indicatorAt(doc, 0)["code"]
				doc["indicators"] = inds
			},
			wantErr: "defined twice",
		},
		{
			name: "two dimensions with the same id",
			edit: func(doc map[string]any) {
				dims := doc["dimensions"].([]any)
				doc["dimensions"] = append(dims, dims[0])
			},
			wantErr: `dimension "offence" is defined twice`,
		},
		{
			name: "an indicator naming an unknown working group",
			edit: func(doc map[string]any) {
				// The schema allows the four ids; the service knows only those
				// the working-groups file lists, here without prevention.
				indicatorAt(doc, 0)["workingGroups"] = []any{"prevention"}
			},
			noGroup: "prevention",
			wantErr: `unknown working group "prevention"`,
		},
		{
			name: "a declared language missing an indicator's description",
			edit: func(doc map[string]any) {
				delete(indicatorAt(doc, 0)["x-descriptions"].(map[string]any), "ru")
			},
			wantErr: "ru: description of OFFENCES_RECORDED",
		},
		{
			name: "a declared language missing a dimension's value",
			edit: func(doc map[string]any) {
				dim := doc["dimensions"].([]any)[0].(map[string]any)
				delete(dim["x-value-labels"].(map[string]any)["illegal_access"].(map[string]any), "zh")
			},
			wantErr: "zh: value illegal_access of dimension offence",
		},
		{
			name: "a declared language missing a unit",
			edit: func(doc map[string]any) {
				delete(doc["units"].(map[string]any)["persons"].(map[string]any), "ar")
			},
			wantErr: "ar: unit persons of PERSONS_PROSECUTED",
		},
		{
			name: "a label for a value the dimension does not have",
			edit: func(doc map[string]any) {
				dim := doc["dimensions"].([]any)[0].(map[string]any)
				dim["x-value-labels"].(map[string]any)["jaywalking"] = map[string]any{"en": "Jaywalking"}
			},
			wantErr: `labels "jaywalking"`,
		},
		{
			name:    "a schema violation: a count that is not a whole number",
			edit:    func(doc map[string]any) { indicatorAt(doc, 0)["integer"] = false },
			wantErr: "does not match",
		},
		{
			name:    "a schema violation: an unknown property",
			edit:    func(doc map[string]any) { indicatorAt(doc, 0)["colour"] = "red" },
			wantErr: "does not match",
		},
		{
			name:    "a schema violation: a missing unit",
			edit:    func(doc map[string]any) { delete(indicatorAt(doc, 0), "unit") },
			wantErr: "does not match",
		},
		{
			name:    "a schema violation: a lower-case code",
			edit:    func(doc map[string]any) { indicatorAt(doc, 0)["code"] = "offences_recorded" },
			wantErr: "does not match",
		},
		{
			name:    "a schema violation: no indicators at all",
			edit:    func(doc map[string]any) { doc["indicators"] = []any{} },
			wantErr: "does not match",
		},
		{
			name:    "a file that is not JSON",
			files:   fstest.MapFS{IndicatorsFile: {Data: []byte("{")}, IndicatorsSchemaFile: {Data: []byte(`{}`)}},
			wantErr: IndicatorsFile,
		},
		{
			name:    "a missing indicators file",
			files:   fstest.MapFS{IndicatorsSchemaFile: {Data: []byte(`{}`)}},
			wantErr: IndicatorsFile,
		},
		{
			name:    "a missing schema file",
			files:   fstest.MapFS{IndicatorsFile: {Data: []byte(`{}`)}},
			wantErr: IndicatorsSchemaFile,
		},
	}
	known := knownGroups(t)
	for _, tc := range cases {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			files := tc.files
			if files == nil {
				files = brokenCatalogue(t, tc.edit)
			}
			groups := func(id string) bool { return id != tc.noGroup && known(id) }
			cat, err := LoadCatalogue(files, groups, state.Codes())
			if err == nil {
				t.Fatalf("got a catalogue of %d indicators, want an error", len(cat.Indicators))
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got error %q, want it to mention %q", err, tc.wantErr)
			}
		})
	}

	t.Run("the unedited copy loads, so each case above fails for its own reason", func(t *testing.T) {
		files := brokenCatalogue(t, func(map[string]any) {})
		if _, err := LoadCatalogue(files, known, state.Codes()); err != nil {
			t.Fatalf("got %v, want the shipped catalogue to load from a MapFS", err)
		}
	})
}

// TestEveryIndicatorIsNamedInTheSixLanguages: the catalogue names each
// indicator in Arabic, Chinese, French, Russian and Spanish too (x-labels),
// each in its own script; reports and pages show the reader's.
func TestEveryIndicatorIsNamedInTheSixLanguages(t *testing.T) {
	cat := shipped(t)
	scripts := map[string]*unicode.RangeTable{"ar": unicode.Arabic, "zh": unicode.Han, "ru": unicode.Cyrillic, "fr": unicode.Latin, "es": unicode.Latin}
	for _, ind := range cat.Indicators {
		for lang, script := range scripts {
			name := ind.NameIn(lang)
			if name == ind.Name || !strings.ContainsFunc(name, func(r rune) bool { return unicode.Is(script, r) }) {
				t.Errorf("%s in %s: %q, want a translation in its script", ind.Code, lang, name)
			}
		}
		if ind.NameIn("en") != ind.Name || ind.NameIn("de") != ind.Name {
			t.Errorf("%s: English and unknown languages should read the English name", ind.Code)
		}
	}
}

// TestDescriptionsUnitsAndValuesInTheSixLanguages: the catalogue declares
// the six languages and gives each indicator's description, each unit and
// each dimension's name and values in each, in its own script (issue 13).
func TestDescriptionsUnitsAndValuesInTheSixLanguages(t *testing.T) {
	cat := shipped(t)
	if !slices.Equal(cat.Languages, []string{"ar", "zh", "en", "fr", "ru", "es"}) {
		t.Fatalf("languages %v, want the six", cat.Languages)
	}
	scripts := map[string]*unicode.RangeTable{"ar": unicode.Arabic, "zh": unicode.Han, "ru": unicode.Cyrillic, "fr": unicode.Latin, "es": unicode.Latin}
	in := func(script *unicode.RangeTable, s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(script, r) })
	}
	for lang, script := range scripts {
		for _, ind := range cat.Indicators {
			if d := ind.DescriptionIn(lang); d == ind.Description || !in(script, d) {
				t.Errorf("%s: the description of %s is %q", lang, ind.Code, d)
			}
			if u := cat.UnitIn(ind.Unit, lang); u == "" || (lang != "fr" && lang != "es" && !in(script, u)) {
				t.Errorf("%s: unit %s is %q", lang, ind.Unit, u)
			}
		}
		for _, d := range cat.Dimensions {
			if n := d.NameIn(lang); !in(script, n) || (n == d.Name && lang != "fr") {
				t.Errorf("%s: dimension %s is named %q", lang, d.ID, n)
			}
			if d.CodeList != "" {
				continue
			}
			for _, v := range d.Values {
				if l := d.ValueIn(v, lang); l == v || !in(script, l) {
					t.Errorf("%s: value %s of %s reads %q", lang, v, d.ID, l)
				}
			}
		}
	}
	if got := cat.UnitIn("persons", "fr"); got != "personnes" {
		t.Errorf("persons in French: %q", got)
	}
}
