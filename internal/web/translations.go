package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/translation"
)

// translationsView is the secretariat's page of translations: each
// questionnaire in the five languages other than English, with its kit
// to download, an upload form and the review of each language.
type translationsView struct {
	Questionnaires []translationsOf
	Problems       []string // an upload refused: each problem in the reader's language
	ProblemFor     string   // the questionnaire whose upload was refused
	ProblemLang    string   // and the language it was for (the form keeps it chosen)
	Done           string   // a confirmation
}

type translationsOf struct {
	ID, Title string
	Languages []translationRow
}

type translationRow struct {
	Lang, Name, Dir string // the language's code, name in itself, direction
	Missing         int
	Reviewed        bool
}

func (h *Handler) translationsView(r *http.Request, rq *req) (*translationsView, error) {
	if err := auth.CanTranslate(rq.P); err != nil {
		return nil, err
	}
	qs := h.Registry.Questionnaires()
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	all, err := h.Translation.TranslationsOf(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	v := &translationsView{}
	for i, q := range qs {
		t := translationsOf{ID: q.ID, Title: q.Label(rq.Lang)}
		for _, tr := range all[i] {
			if tr.Lang == "en" {
				continue
			}
			l := languageOf(tr.Lang)
			t.Languages = append(t.Languages, translationRow{Lang: tr.Lang, Name: l.Name, Dir: l.Dir, Missing: tr.Missing, Reviewed: tr.Reviewed})
		}
		v.Questionnaires = append(v.Questionnaires, t)
	}
	return v, nil
}

func languageOf(code string) i18n.Language {
	for _, l := range i18n.Languages {
		if l.Code == code {
			return l
		}
	}
	return i18n.Language{Code: code, Name: code, Dir: "ltr"}
}

func (h *Handler) translationsPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	v, err := h.translationsView(r, rq)
	if err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "translations", "Translations", v)
	return nil
}

// translationKit serves /translations/{questionnaire}/{lang}.xlf as a
// file to save.
func (h *Handler) translationKit(w http.ResponseWriter, r *http.Request, rq *req) error {
	id := r.PathValue("questionnaire")
	lang, ok := strings.CutSuffix(r.PathValue("file"), ".xlf")
	if !ok {
		return apperr.NotFoundT("there is no page at {path}", "path", r.URL.Path)
	}
	kit, err := h.Translation.Kit(r.Context(), rq.P, id, lang)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-xliff+xml; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": id + "." + lang + ".xlf"}))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(kit)
	return err
}

// reviewTranslation marks a language of a questionnaire reviewed or not.
func (h *Handler) reviewTranslation(w http.ResponseWriter, r *http.Request, rq *req) error {
	lang := r.PathValue("lang")
	reviewed := r.PostFormValue("reviewed") == "true"
	if _, err := h.Translation.Review(r.Context(), rq.P, r.PathValue("questionnaire"), lang, reviewed); err != nil {
		return err
	}
	v, err := h.translationsView(r, rq)
	if err != nil {
		return err
	}
	name := languageOf(lang).Name
	if reviewed {
		v.Done = tr(rq.Lang, "The translation ({language}) is marked reviewed.", "language", name)
	} else {
		v.Done = tr(rq.Lang, "The translation ({language}) is marked not reviewed.", "language", name)
	}
	h.render(w, r, rq, http.StatusOK, "translations", "Translations", v)
	return nil
}

// uploadTranslation receives a translated kit. As the statistics upload,
// it checks the CSRF token (the form's first part, or the X-CSRF-Token
// header) before it reads the file, and reads at most the kit's limit.
func (h *Handler) uploadTranslation(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := auth.CanTranslate(rq.P); err != nil {
		return err // before a byte of the file is received
	}
	id := r.PathValue("questionnaire")
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		return apperr.BadInputT("send the file as multipart/form-data, as the page's form does")
	}
	csrfChecked := false
	if got := r.Header.Get("X-CSRF-Token"); got != "" {
		if !sameToken(got, rq.CSRF) {
			return errCSRF
		}
		csrfChecked = true
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, translation.MaxKitBytes+64<<10), params["boundary"])
	var lang string
	var file []byte
	chosen := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.TooLargeT("the translation file is larger than {limit} bytes", "limit", translation.MaxKitBytes)
		}
		if err != nil {
			return apperr.BadInputT("the upload could not be read: {reason}", "reason", err)
		}
		if !csrfChecked {
			if part.FormName() != "csrf" {
				return errCSRF // the first part must be the token
			}
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			if !sameToken(string(b), rq.CSRF) {
				return errCSRF
			}
			csrfChecked = true
			continue
		}
		switch part.FormName() {
		case "lang":
			b, _ := io.ReadAll(io.LimitReader(part, 16))
			lang = strings.TrimSpace(string(b))
		case "file":
			if chosen || part.FileName() == "" {
				continue
			}
			chosen = true
			file, err = io.ReadAll(io.LimitReader(part, translation.MaxKitBytes+1))
			if errors.As(err, &tooBig) || len(file) > translation.MaxKitBytes {
				return apperr.TooLargeT("the translation file is larger than {limit} bytes", "limit", translation.MaxKitBytes)
			}
			if err != nil {
				return apperr.BadInputT("the upload could not be read: {reason}", "reason", err)
			}
		}
	}
	if !csrfChecked {
		return errCSRF
	}
	var problems []string
	if !chosen {
		problems = []string{tr(rq.Lang, "Choose an XLIFF file to upload.")}
	} else {
		_, err := h.Translation.Upload(r.Context(), rq.P, id, lang, file)
		var refused *translation.Refused
		switch {
		case errors.As(err, &refused):
			for _, p := range refused.Problems {
				problems = append(problems, apperr.Message(p, rq.Lang))
			}
		case err != nil && apperr.CodeOf(err) == apperr.BadInput:
			problems = []string{apperr.Message(err, rq.Lang)}
		case err != nil:
			return err
		}
	}
	v, err := h.translationsView(r, rq)
	if err != nil {
		return err
	}
	st := http.StatusOK
	if len(problems) > 0 {
		v.Problems, v.ProblemFor, v.ProblemLang, st = problems, id, lang, http.StatusUnprocessableEntity
	} else {
		v.Done = tr(rq.Lang, "The translation ({language}) is stored. It is not reviewed until you mark it reviewed.", "language", languageOf(lang).Name)
	}
	h.render(w, r, rq, st, "translations", "Translations", v)
	return nil
}
