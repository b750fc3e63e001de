package web

import (
	"encoding/json"
	"net/http"
)

type explorerView struct {
	Headers   string
	Query     string
	Variables string
}

// explorerQuery shows the variables form: answers go in as a variable,
// where a pasted JSON document is valid as it is.
const explorerQuery = `mutation Save($answers: JSON!) {
  saveDraft(cycle: "2027", state: "GHA", answers: $answers) {
    submission { id version status problems { path message } }
    errors { path keyword message }
  }
}`

// explorer is a small GraphQL explorer (development only): its script is
// embedded like every other asset, so it works without internet.
func (h *Handler) explorer(w http.ResponseWriter, r *http.Request, rq *req) error {
	var prefilled map[string]string
	if h.ExplorerHeaders != nil {
		prefilled = h.ExplorerHeaders(r)
	}
	headers, _ := json.MarshalIndent(prefilled, "", "  ")
	if len(prefilled) == 0 {
		headers = []byte(`{"Authorization": "Bearer irm_…"}`)
	}
	answers := h.ExplorerAnswers
	if len(answers) == 0 {
		answers = json.RawMessage(`{}`)
	}
	vars, _ := json.MarshalIndent(map[string]json.RawMessage{"answers": answers}, "", "  ")
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, rq, http.StatusOK, "explorer", "GraphQL explorer", explorerView{Headers: string(headers),
		Query: explorerQuery, Variables: string(vars)})
	return nil
}
