package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

type explorerView struct {
	Headers   string
	Query     string
	Variables string
	Example   string // the example shown: "read" or "save"
	Docs      *schemaDocs
}

// The explorer's examples. The first reads what every role may read, so
// it succeeds for whoever runs it; the second saves a draft, with the
// answers as a variable, where a pasted JSON document is valid as it is.
const (
	readQuery = `query FirstLook {
  viewer { role name state { code name } workingGroups { id } }
  cycles { id name opensOn closesOn questionnaire { id } }
}`
	saveQuery = `mutation Save($answers: JSON!) {
  saveDraft(cycle: "2027", state: "GHA", answers: $answers) {
    submission { id version status problems { path message } }
    errors { path keyword message }
  }
}`
)

// explorer is a small GraphQL explorer (development only) with the
// schema's documentation beside it, drawn here from the schema itself:
// its script is embedded like every other asset, so it works without
// internet.
func (h *Handler) explorer(w http.ResponseWriter, r *http.Request, rq *req) error {
	var prefilled map[string]string
	if h.ExplorerHeaders != nil {
		prefilled = h.ExplorerHeaders(r)
	}
	headers, _ := json.MarshalIndent(prefilled, "", "  ")
	if len(prefilled) == 0 {
		headers = []byte(`{"Authorization": "Bearer irm_…"}`)
	}
	v := explorerView{Headers: string(headers), Query: readQuery, Variables: "{}", Example: "read", Docs: h.docs}
	if r.URL.Query().Get("example") == "save" {
		answers := h.ExplorerAnswers
		if len(answers) == 0 {
			answers = json.RawMessage(`{}`)
		}
		vars, _ := json.MarshalIndent(map[string]json.RawMessage{"answers": answers}, "", "  ")
		v.Query, v.Variables, v.Example = saveQuery, string(vars), "save"
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, rq, http.StatusOK, "explorer", "GraphQL explorer", v)
	return nil
}

// schemaDocs is the schema as the explorer documents it: the root
// operations first, then every named type, alphabetically.
type schemaDocs struct {
	Roots []docType
	Types []docType
}

type docType struct {
	Name, Kind, Description string
	Fields                  []docField // fields, input fields
	Values                  []docField // enum values (Type empty)
}

type docField struct {
	Name, Description string
	Args              []docField
	Type              docRef
	Deprecated        string
}

// docRef is a type as written (e.g. [State!]!) and the named type it
// links to, "" for a built-in scalar.
type docRef struct{ Text, Link string }

func newSchemaDocs(s *ast.Schema) *schemaDocs {
	if s == nil {
		return nil
	}
	ref := func(t *ast.Type) docRef {
		d := docRef{Text: t.String()}
		if def := s.Types[t.Name()]; def != nil && !def.BuiltIn {
			d.Link = t.Name()
		}
		return d
	}
	fields := func(list ast.FieldList) []docField {
		var out []docField
		for _, f := range list {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			df := docField{Name: f.Name, Description: f.Description, Type: ref(f.Type)}
			if d := f.Directives.ForName("deprecated"); d != nil {
				df.Deprecated = "deprecated"
				if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil {
					df.Deprecated = a.Value.Raw
				}
			}
			for _, a := range f.Arguments {
				df.Args = append(df.Args, docField{Name: a.Name, Description: a.Description, Type: ref(a.Type)})
			}
			out = append(out, df)
		}
		return out
	}
	typ := func(def *ast.Definition) docType {
		dt := docType{Name: def.Name, Kind: strings.ToLower(string(def.Kind)), Description: def.Description, Fields: fields(def.Fields)}
		for _, v := range def.EnumValues {
			dt.Values = append(dt.Values, docField{Name: v.Name, Description: v.Description})
		}
		return dt
	}
	d := &schemaDocs{}
	roots := map[string]bool{}
	for _, root := range []*ast.Definition{s.Query, s.Mutation} {
		if root != nil {
			d.Roots = append(d.Roots, typ(root))
			roots[root.Name] = true
		}
	}
	var names []string
	for name, def := range s.Types {
		if !def.BuiltIn && !roots[name] && !strings.HasPrefix(name, "__") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		d.Types = append(d.Types, typ(s.Types[name]))
	}
	return d
}
