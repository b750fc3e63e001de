package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/cosp-ict/irm/internal/app/apptest"
)

// Field errors speak the reader's language (Accept-Language, the best of
// the six, English by default): errors { message } and problems {
// message } change, path and keyword do not, nor does the contract.
func TestFieldErrorsSpeakTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	q, _ := w.env.Registry.Get("implementation-v1")
	integer := firstQuestionOfKind(t, q, "INTEGER")
	doc := sample(t)
	setAnswer(doc, integer, json.Number("1e400"))

	send := func(t *testing.T, acceptLanguage, query string, vars map[string]any) apptest.Response {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		h := map[string]string{"Content-Type": "application/json"}
		if acceptLanguage != "" {
			h["Accept-Language"] = acceptLanguage
		}
		r := w.env.Raw(t, http.MethodPost, "/graphql", w.sec, h, bytes.NewReader(body))
		var out apptest.Response
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("response is not JSON (status %d): %s", r.Status, r.Body)
		}
		return out
	}
	for _, tc := range []struct{ header, want string }{
		{"", "This number is too large to be stored: the largest is 9223372036854775807."},
		{"de-DE", "This number is too large to be stored: the largest is 9223372036854775807."},
		{"fr-CH, fr;q=0.9", "Ce nombre est trop grand pour être enregistré : le plus grand admis est 9223372036854775807."},
		{"ar", "هذا الرقم أكبر من أن يُخزَّن: أكبر رقم ممكن هو ٩٢٢٣٣٧٢٠٣٦٨٥٤٧٧٥٨٠٧."},
		{"zh-CN", "此数字太大，无法存储：最大值为 9223372036854775807。"},
	} {
		p := payloadOf(t, send(t, tc.header, saveDraftMutation, map[string]any{"c": w.cycle, "s": "KEN", "a": doc}), "saveDraft")
		if len(p.Errors) != 1 || p.Errors[0].Path != integer || p.Errors[0].Keyword != "maximum" || p.Errors[0].Message != tc.want {
			t.Errorf("Accept-Language %q: errors %+v, want one maximum at %s: %q", tc.header, p.Errors, integer, tc.want)
		}
	}

	// problems: a draft missing required answers, read in Russian.
	w.mustSave(t, w.sec, "GHA", map[string]any{}, -1)
	res := send(t, "ru-RU,ru;q=0.9", submissionQuery, map[string]any{"c": w.cycle, "s": "GHA"})
	var got struct {
		Submission submission `json:"submission"`
	}
	res.Decode(t, &got)
	if len(got.Submission.Problems) == 0 {
		t.Fatal("a draft without answers has no problems")
	}
	for _, p := range got.Submission.Problems {
		if p.Keyword == "required" && !bytes.Contains([]byte(p.Message), []byte("обязательный вопрос")) {
			t.Errorf("problem %+v is not in Russian", p)
		}
	}
}
