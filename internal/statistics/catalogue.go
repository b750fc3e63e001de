// Package statistics owns the indicator catalogue, the yearly observations
// States report (validated row by row, stored all-or-nothing, with every
// superseded value kept as a revision), CSV import, and trends.
package statistics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Catalogue files, relative to the catalogue file system.
const (
	IndicatorsFile       = "indicators.json"
	IndicatorsSchemaFile = "indicators.schema.json"
)

// Dimension is a breakdown a value may carry.
type Dimension struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Values   []string `json:"values"`
	CodeList string   `json:"codeList"`

	allowed map[string]bool
}

// Allows reports whether v is one of the dimension's values.
func (d *Dimension) Allows(v string) bool { return d.allowed[v] }

// notAValue says that v is not one of the dimension's values, and which
// are: every one of a short list, the form of a State code for the
// States' code list.
func (d *Dimension) notAValue(v string) string {
	if d.CodeList == "states" {
		return fmt.Sprintf("%q is not a value of dimension %s: use a State's ISO 3166-1 alpha-3 code in capitals, such as KEN", v, d.ID)
	}
	return fmt.Sprintf("%q is not a value of dimension %s (it has: %s)", v, d.ID, strings.Join(d.Values, ", "))
}

// Indicator is one statistic States report each calendar year.
type Indicator struct {
	Code          string            `json:"code"`
	Name          string            `json:"name"`
	Names         map[string]string `json:"x-labels"` // the name in the other five languages
	Description   string            `json:"description"`
	Unit          string            `json:"unit"`
	Integer       bool              `json:"integer"`
	Minimum       *float64          `json:"minimum"`
	Aggregation   string            `json:"aggregation"` // "sum" or "median"
	WorkingGroups []string          `json:"workingGroups"`
	DimensionIDs  []string          `json:"dimensions"`

	Dimensions []*Dimension `json:"-"`
}

// NameIn returns the indicator's name in lang, English where the
// catalogue has no translation.
func (ind *Indicator) NameIn(lang string) string {
	if n := ind.Names[strings.ToLower(lang)]; n != "" {
		return n
	}
	return ind.Name
}

// Dimension returns the indicator's dimension with id.
func (ind *Indicator) Dimension(id string) (*Dimension, bool) {
	for _, d := range ind.Dimensions {
		if d.ID == id {
			return d, true
		}
	}
	return nil, false
}

// Catalogue is the loaded indicator catalogue; read-only after loading.
type Catalogue struct {
	Indicators []*Indicator
	Dimensions []*Dimension
	byCode     map[string]*Indicator
}

// Indicator returns the indicator with code.
func (c *Catalogue) Indicator(code string) (*Indicator, bool) {
	ind, ok := c.byCode[code]
	return ind, ok
}

// ForWorkingGroup returns the indicators tagged with a working group.
func (c *Catalogue) ForWorkingGroup(id string) []*Indicator {
	var out []*Indicator
	for _, ind := range c.Indicators {
		if slices.Contains(ind.WorkingGroups, id) {
			out = append(out, ind)
		}
	}
	return out
}

// LoadCatalogue reads the indicator catalogue from fsys, checks it against
// its JSON Schema and its cross-references, and fills code lists:
// "states" gets stateCodes. knownGroup tells the working-group ids.
func LoadCatalogue(fsys fs.FS, knownGroup func(string) bool, stateCodes []string) (*Catalogue, error) {
	data, err := fs.ReadFile(fsys, IndicatorsFile)
	if err != nil {
		return nil, fmt.Errorf("indicator catalogue: %w", err)
	}
	schemaData, err := fs.ReadFile(fsys, IndicatorsSchemaFile)
	if err != nil {
		return nil, fmt.Errorf("indicator catalogue: %w", err)
	}
	compiler := jsonschema.NewCompiler()
	compiler.Draft = jsonschema.Draft2020
	compiler.LoadURL = func(url string) (_ io.ReadCloser, _ error) {
		return nil, fmt.Errorf("refusing to load %s", url)
	}
	if err := compiler.AddResource("mem:///"+IndicatorsSchemaFile, bytes.NewReader(schemaData)); err != nil {
		return nil, fmt.Errorf("%s: %w", IndicatorsSchemaFile, err)
	}
	schema, err := compiler.Compile("mem:///" + IndicatorsSchemaFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", IndicatorsSchemaFile, err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", IndicatorsFile, err)
	}
	if err := schema.Validate(doc); err != nil {
		return nil, fmt.Errorf("%s does not match %s: %v", IndicatorsFile, IndicatorsSchemaFile, err)
	}
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", IndicatorsFile, err)
	}
	dims := map[string]*Dimension{}
	for _, d := range c.Dimensions {
		if dims[d.ID] != nil {
			return nil, fmt.Errorf("%s: dimension %q is defined twice", IndicatorsFile, d.ID)
		}
		if d.CodeList == "states" {
			d.Values = slices.Clone(stateCodes)
		}
		d.allowed = make(map[string]bool, len(d.Values))
		for _, v := range d.Values {
			d.allowed[v] = true
		}
		dims[d.ID] = d
	}
	c.byCode = map[string]*Indicator{}
	for _, ind := range c.Indicators {
		if c.byCode[ind.Code] != nil {
			return nil, fmt.Errorf("%s: indicator %q is defined twice", IndicatorsFile, ind.Code)
		}
		c.byCode[ind.Code] = ind
		if ind.Aggregation == "" {
			ind.Aggregation = "sum"
		}
		for _, wg := range ind.WorkingGroups {
			if !knownGroup(wg) {
				return nil, fmt.Errorf("%s: indicator %s names unknown working group %q", IndicatorsFile, ind.Code, wg)
			}
		}
		for _, id := range ind.DimensionIDs {
			d, ok := dims[id]
			if !ok {
				return nil, fmt.Errorf("%s: indicator %s names unknown dimension %q", IndicatorsFile, ind.Code, id)
			}
			ind.Dimensions = append(ind.Dimensions, d)
		}
	}
	return &c, nil
}
