package translation

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

// The translation kit is XLIFF 1.2, the version translation tools
// (Trados, memoQ, OmegaT, Poedit, Okapi) all read and write: one <file>
// per questionnaire and language, one <trans-unit> per string a person
// reads, its id the questionnaire's unit id.
const (
	xliffVersion = "1.2"

	// MaxKitBytes bounds an uploaded translation file: the kit of the
	// largest questionnaire, translated, is a small fraction of it.
	MaxKitBytes = 5 << 20
	// MaxTargetRunes bounds one translated string.
	MaxTargetRunes = 10000
	// maxProblems is how many problems a refusal lists.
	maxProblems = 50
)

// The states of a <target> in the kit.
const (
	StateFinal       = "final"                    // the secretariat reviewed the language
	StateNeedsReview = "needs-review-translation" // translated, not reviewed
)

type xliffDoc struct {
	XMLName xml.Name    `xml:"xliff"`
	Version string      `xml:"version,attr"`
	Files   []xliffFile `xml:"file"`
}

// kitOut is xliffDoc as the kit writes it, in XLIFF 1.2's namespace
// (a file read back may have lost it).
type kitOut struct {
	XMLName xml.Name    `xml:"urn:oasis:names:tc:xliff:document:1.2 xliff"`
	Version string      `xml:"version,attr"`
	Files   []xliffFile `xml:"file"`
}

type xliffFile struct {
	Original       string       `xml:"original,attr"`
	SourceLanguage string       `xml:"source-language,attr"`
	TargetLanguage string       `xml:"target-language,attr"`
	Datatype       string       `xml:"datatype,attr"`
	Units          []xliffUnit  `xml:"body>trans-unit"`
	Groups         []xliffGroup `xml:"body>group"`
}

// xliffGroup is a <group> of units a tool may have wrapped them in.
type xliffGroup struct {
	Units  []xliffUnit  `xml:"trans-unit"`
	Groups []xliffGroup `xml:"group"`
}

type xliffUnit struct {
	ID     string       `xml:"id,attr"`
	Space  string       `xml:"http://www.w3.org/XML/1998/namespace space,attr,omitempty"`
	Source xliffText    `xml:"source"`
	Target *xliffTarget `xml:"target"`
	Notes  []string     `xml:"note"`
}

type xliffText struct {
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

type xliffTarget struct {
	Lang   string        `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	State  string        `xml:"state,attr,omitempty"`
	Text   string        `xml:",chardata"`
	Markup []xliffMarkup `xml:",any"`
}

// xliffMarkup is an inline element inside a <target> (<g>, <x/>, <ph>
// ...): a plain-text kit has none, and an upload with one is refused.
type xliffMarkup struct {
	XMLName xml.Name
}

// Kit writes the translation kit of q for lang: every unit with its
// English source, its translation in lang as q reads it now (state
// "final" when reviewed, "needs-review-translation" when not, no target
// where there is none) and a note saying where it is read.
func Kit(q *questionnaire.Questionnaire, lang string, reviewed bool) ([]byte, error) {
	f := xliffFile{
		Original: q.ID, SourceLanguage: "en", TargetLanguage: lang, Datatype: "plaintext",
	}
	for _, u := range q.Units() {
		xu := xliffUnit{ID: u.ID, Space: "preserve", Source: xliffText{Lang: "en", Text: u.Source}, Notes: []string{u.Context}}
		if t := u.Target(lang); t != "" {
			state := StateNeedsReview
			if reviewed {
				state = StateFinal
			}
			xu.Target = &xliffTarget{Lang: lang, State: state, Text: t}
		}
		f.Units = append(f.Units, xu)
	}
	doc := kitOut{Version: xliffVersion, Files: []xliffFile{f}}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("write translation kit: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// upload is an uploaded kit read and checked against its questionnaire.
type upload struct {
	units      map[string]string // unit id → translation (units left empty are not in it)
	count      int               // the units in the file
	translated int               // those with a translation
}

// Refused is an upload refused for the problems it lists; it is the
// BAD_USER_INPUT that says so, every problem in the reader's language.
type Refused struct {
	Problems []error // each an apperr error, in the order found
	err      error
}

func (r *Refused) Error() string { return r.err.Error() }
func (r *Refused) Unwrap() error { return r.err }

// refuse makes the error of an upload refused for problems: one message
// listing them (as many as maxProblems, then how many more).
func refuse(problems []error) error {
	listed := problems
	var list error
	if len(listed) > maxProblems {
		listed = listed[:maxProblems]
		list = apperr.BadInputT("further problems not listed: {count}", "count", len(problems)-maxProblems)
	}
	for i := len(listed) - 1; i >= 0; i-- {
		if list == nil {
			list = listed[i]
		} else {
			list = apperr.BadInputT("{problem}; also {more}", "problem", listed[i], "more", list)
		}
	}
	return &Refused{Problems: problems,
		err: apperr.BadInputT("the translation file was refused and nothing was changed: {problems}", "problems", list)}
}

// placeholder is a named placeholder in a text, as the catalogues write
// them: {name}.
var placeholder = regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_.]*\}`)

func placeholders(s string) []string {
	out := placeholder.FindAllString(s, -1)
	slices.Sort(out)
	return out
}

func listOf(ps []string) string {
	if len(ps) == 0 {
		return "—"
	}
	return strings.Join(ps, " ")
}

// readKit reads an uploaded kit for q in lang and checks it: well-formed
// XLIFF 1.2 without a DOCTYPE, one <file> for q and lang, every unit id
// one of q's and only once, every translation plain text of valid UTF-8
// without control characters, at most MaxTargetRunes long, keeping
// exactly the placeholders of its English. It returns every problem
// found, or none.
func readKit(q *questionnaire.Questionnaire, lang string, data []byte) (upload, error) {
	if len(data) > MaxKitBytes {
		return upload{}, apperr.TooLargeT("the translation file is larger than {limit} bytes", "limit", MaxKitBytes)
	}
	if !utf8.Valid(data) {
		return upload{}, refuse([]error{apperr.BadInputT("the file is not text in UTF-8: save it as UTF-8, as the kit is")})
	}
	// A first pass refuses a DOCTYPE (and so any entity it would declare)
	// before the document is read into the kit's shape.
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return upload{}, refuse([]error{apperr.BadInputT("the file is not well-formed XML: {reason}", "reason", err.Error())})
		}
		if _, ok := tok.(xml.Directive); ok {
			return upload{}, refuse([]error{apperr.BadInputT("the file declares a DOCTYPE or entities: upload the XLIFF file without them, as the kit is")})
		}
	}
	var doc xliffDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		return upload{}, refuse([]error{apperr.BadInputT("the file is not well-formed XML: {reason}", "reason", err.Error())})
	}
	if doc.Version != xliffVersion {
		return upload{}, refuse([]error{apperr.BadInputT("the file is XLIFF version \"{version}\": upload an XLIFF 1.2 file, as the kit is", "version", doc.Version)})
	}
	if len(doc.Files) != 1 {
		return upload{}, refuse([]error{apperr.BadInputT("the file must hold exactly one <file> element, as the kit does")})
	}
	f := doc.Files[0]
	var problems []error
	if f.Original != q.ID {
		problems = append(problems, apperr.BadInputT("the file is the kit of questionnaire \"{got}\", not of \"{want}\"", "got", f.Original, "want", q.ID))
	}
	if !strings.EqualFold(f.TargetLanguage, lang) {
		problems = append(problems, apperr.BadInputT("the file's target language is \"{got}\", not \"{want}\"", "got", f.TargetLanguage, "want", lang))
	}
	if !strings.EqualFold(f.SourceLanguage, "en") {
		problems = append(problems, apperr.BadInputT("the file's source language is \"{got}\": the kit translates from English (en)", "got", f.SourceLanguage))
	}
	units := f.Units
	var flatten func(gs []xliffGroup)
	flatten = func(gs []xliffGroup) {
		for _, g := range gs {
			units = append(units, g.Units...)
			flatten(g.Groups)
		}
	}
	flatten(f.Groups)
	up := upload{units: map[string]string{}, count: len(units)}
	seen := map[string]bool{}
	for _, xu := range units {
		if xu.ID == "" {
			problems = append(problems, apperr.BadInputT("a <trans-unit> has no id"))
			continue
		}
		if seen[xu.ID] {
			problems = append(problems, apperr.BadInputT("unit \"{unit}\" appears more than once", "unit", xu.ID))
			continue
		}
		seen[xu.ID] = true
		u, ok := q.Unit(xu.ID)
		if !ok {
			problems = append(problems, apperr.BadInputT("unit \"{unit}\" is not a string of this questionnaire", "unit", xu.ID))
			continue
		}
		if xu.Target == nil {
			continue
		}
		if len(xu.Target.Markup) > 0 {
			problems = append(problems, apperr.BadInputT("unit \"{unit}\": the translation contains markup (<{element}>): write plain text", "unit", xu.ID, "element", xu.Target.Markup[0].XMLName.Local))
			continue
		}
		text := strings.TrimSpace(xu.Target.Text)
		if text == "" {
			continue
		}
		if strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
			problems = append(problems, apperr.BadInputT("unit \"{unit}\": the translation contains control characters", "unit", xu.ID))
			continue
		}
		if n := utf8.RuneCountInString(text); n > MaxTargetRunes {
			problems = append(problems, apperr.BadInputT("unit \"{unit}\": the translation is longer than {max} characters", "unit", xu.ID, "max", MaxTargetRunes))
			continue
		}
		if want, got := placeholders(u.Source), placeholders(text); !slices.Equal(want, got) {
			problems = append(problems, apperr.BadInputT("unit \"{unit}\": the translation has the placeholders {got} where the English has {want}: keep them as they are",
				"unit", xu.ID, "got", listOf(got), "want", listOf(want)))
			continue
		}
		up.units[xu.ID] = text
		up.translated++
	}
	if len(problems) == 0 && slices.Contains(q.Declared, strings.ToLower(lang)) {
		// The file declares the language (x-languages): every label and
		// option must keep a text in it, so the upload must give each one.
		// Help text may stay English.
		for _, u := range q.Units() {
			if !strings.HasSuffix(u.ID, questionnaire.DescriptionUnit) && up.units[u.ID] == "" {
				problems = append(problems, apperr.BadInputT("unit \"{unit}\": the questionnaire declares {lang} (x-languages), so this label needs a translation",
					"unit", u.ID, "lang", strings.ToLower(lang)))
			}
		}
	}
	if len(problems) > 0 {
		return upload{}, refuse(problems)
	}
	return up, nil
}
