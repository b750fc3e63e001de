package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

type languageKey struct{}

// withLanguage keeps the request's language, the best of the six for its
// Accept-Language (English by default), for the messages of field errors.
func withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), languageKey{}, i18n.Match(r.Header.Get("Accept-Language")))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// language is the request's language.
func language(ctx context.Context) string {
	if l, ok := ctx.Value(languageKey{}).(string); ok {
		return l
	}
	return i18n.Default
}

// reader is the language of the one who reads an answer.
type reader string

// readerOf is the request's reader.
func readerOf(ctx context.Context) reader { return reader(language(ctx)) }

// fieldErrors gives field errors their messages in the reader's language;
// path, keyword and the contract's shape stay as they are.
func (l reader) fieldErrors(errs []questionnaire.FieldError) []questionnaire.FieldError {
	if l == i18n.Default || len(errs) == 0 {
		return errs
	}
	out := make([]questionnaire.FieldError, len(errs))
	for i, e := range errs {
		out[i] = e
		out[i].Message = e.In(string(l))
	}
	return out
}

// labelLanguage is the lang argument of a label or title: one of the six
// (English when absent). Any other is BAD_USER_INPUT naming the six, not
// English given silently.
func labelLanguage(lang *string) (string, error) {
	l := deref(lang, "en")
	if !questionnaire.IsLanguage(l) {
		return "", apperr.BadInputT("language \"{language}\": use one of {languages}", "language", l, "languages", strings.Join(questionnaire.Languages, ", "))
	}
	return l, nil
}
