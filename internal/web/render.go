package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/state"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// assetVersion is a digest of the embedded assets: asset URLs carry it,
// so they can be cached for a year and still change with a new build.
var assetVersion = func() string {
	h := sha256.New()
	fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error { //nolint:errcheck
		if err == nil && !d.IsDir() {
			b, _ := staticFS.ReadFile(p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

func serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if r.URL.Query().Get("v") == assetVersion {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

var funcs = template.FuncMap{
	"tr":       tr,
	"progress": progressText,
	"asset":    func(name string) string { return "/static/" + name + "?v=" + assetVersion },
	// Dates are isolated left to right (LRI … PDI, invisible): in an
	// Arabic sentence 2027-03-06 would otherwise read 06-03-2027. A date
	// stays on one line wherever it is printed, in a sentence too: word
	// joiners (invisible) beside its hyphens and no-break spaces keep a
	// narrow screen from breaking it at "2027-" (issue 17).
	"date": func(t time.Time) string { return "\u2066" + unbroken(t.Format("2006-01-02")) + "\u2069" },
	"datetime": func(t time.Time) string {
		return "\u2066" + unbroken(t.UTC().Format("2006-01-02 15:04 UTC")) + "\u2069"
	},
	"humanize": questionnaire.Humanize,
	// langName is a language's name in itself (العربية, Français).
	"langName": func(code string) string {
		for _, l := range i18n.Languages {
			if l.Code == code {
				return l.Name
			}
		}
		return code
	},
	// Numbers are written as the page's language writes them, by the
	// reports' own formatter (CLDR): 97.5, 97,5, ٩٧٫٥.
	"pct":   report.Percent,
	"num":   pageNumber,
	"whole": report.Whole, // a year or a version: no grouping
	"join":  strings.Join,
	"has":   func(list []string, s string) bool { return slices.Contains(list, s) },
	"add":   func(a, b int) int { return a + b },
	"roleName": func(lang string, r auth.Role) string {
		return tr(lang, map[auth.Role]string{auth.FocalPoint: "Focal point", auth.WorkingGroup: "Working-group member",
			auth.Secretariat: "Secretariat"}[r])
	},
	"statusName": func(lang string, s any) string {
		return tr(lang, questionnaire.Humanize(strings.ToLower(fmt.Sprint(s))))
	},
	// stateName is a State's UN short name in lang (English where the
	// reference data has none).
	"stateName": func(lang, code, english string) string {
		if n, ok := state.NameIn(code, lang); ok && n != "" {
			return n
		}
		return english
	},
	"groupName": report.GroupName, // the one catalogue of group names is the report's
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

func parseTemplates() (*template.Template, error) {
	return template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
}

// view is what the layout needs; Body is the page's own data.
type view struct {
	Lang      string
	Dir       string
	Digits    string // the language's digits, when not 0–9 (the scripts' counts)
	LangNote  string // the browser asked only for languages the pages do not offer
	Title     string
	User      *auth.Principal
	Drafts    string // the prefix of the user's drafts in browser storage, cleared at sign-out
	CSRF      string
	Path      string
	Dev       bool
	Languages []langChoice
	Body      any
}

type langChoice struct {
	Code, Name, Dir string
	Current         bool
}

// render writes page name inside the layout with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, rq *req, status int, name, title string, body any) {
	v := view{Lang: rq.Lang, Dir: i18n.Dir(rq.Lang), Digits: localDigits(rq.Lang), Title: tr(rq.Lang, title), CSRF: rq.CSRF, Path: r.URL.RequestURI(), Dev: h.Dev, Body: body}
	if r.Method == http.MethodPost {
		// A page answering a form (a refusal, a confirmation) has no
		// address of its own to come back to after choosing a language:
		// the page the form was on has.
		v.Path = "/"
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
			v.Path = localPath(ref.RequestURI())
		}
	}
	if len(rq.unoffered) > 0 {
		v.LangNote = tr(rq.Lang, "Your browser asks for pages in {languages}, which this service does not offer: they are shown in English. Choose one of the six languages above.",
			"languages", strings.Join(rq.unoffered, ", "))
	}
	if rq.In {
		v.User, v.Drafts = &rq.P, h.keys.drafts(rq.P.TokenID)
	}
	for _, l := range i18n.Languages {
		v.Languages = append(v.Languages, langChoice{Code: l.Code, Name: l.Name, Dir: l.Dir, Current: l.Code == rq.Lang})
	}
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		h.Log.ErrorContext(r.Context(), "render", "page", name, "err", err)
		http.Error(w, apperr.InternalMessage(r.Context()), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck
}

// pageNumber is v, a count or a figure, as lang writes it.
func pageNumber(lang string, v any) string {
	switch n := v.(type) {
	case int:
		return report.Number(lang, float64(n), "")
	case int64:
		return report.Number(lang, float64(n), "")
	case float64:
		return report.Number(lang, n, "")
	}
	return fmt.Sprint(v)
}

// unbroken is s with no line break opportunity: a word joiner on each
// side of a hyphen, no-break spaces for spaces.
var unbroken = strings.NewReplacer("-", "\u2060-\u2060", " ", "\u00a0").Replace

// localDigits are lang's digits for the page's scripts, "" when they are
// 0–9.
func localDigits(lang string) string {
	if d := i18n.Digits(lang); d != "0123456789" {
		return d
	}
	return ""
}
