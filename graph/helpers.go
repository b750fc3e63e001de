package graph

import (
	"context"
	"encoding/json"

	"github.com/cosp-ict/irm/graph/model"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// principal returns the caller. The HTTP layer refuses unauthenticated
// requests before they reach a resolver, so a missing principal has no
// rights at all.
func principal(ctx context.Context) auth.Principal {
	p, _ := auth.FromContext(ctx)
	return p
}

// payload maps a workflow result to the contract's payload, its errors
// in the request's language.
func (l reader) payload(res submission.Result, err error) (*model.SubmissionPayload, error) {
	if err != nil {
		return nil, err
	}
	errs := l.fieldErrors(res.Errors)
	if errs == nil {
		errs = []questionnaire.FieldError{}
	}
	warnings := []string{}
	if res.OpenThreads > 0 {
		warnings = append(warnings, i18n.T(string(l), "{count} comment threads are still open: the secretariat may return the submission until they are answered.", "count", res.OpenThreads))
	}
	return &model.SubmissionPayload{Submission: res.Submission, Errors: errs, Warnings: warnings}, nil
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// workingGroups maps working-group ids to the catalogue's groups.
func (r *Resolver) workingGroups(ids []string) []questionnaire.WorkingGroup {
	out := make([]questionnaire.WorkingGroup, 0, len(ids))
	for _, id := range ids {
		if wg, ok := r.Registry.WorkingGroup(id); ok {
			out = append(out, wg)
		}
	}
	return out
}

// breakdownOf reads a breakdown argument: absent, null or an object of
// dimension id → value strings.
func breakdownOf(j model.JSON) (map[string]string, error) {
	if len(j) == 0 || string(j) == "null" {
		return nil, nil
	}
	var b map[string]string
	if err := json.Unmarshal(j, &b); err != nil {
		return nil, apperr.BadInputT(`a breakdown is an object of dimension values, e.g. {"partner": "KEN"}`)
	}
	return b, nil
}

func derefAll[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// observationFilter maps the arguments that observations and
// observationsPage share.
func observationFilter(indicator string, state *string, regionalGroup *model.RegionalGroup, from, to *int, breakdown model.JSON) (statistics.Filter, error) {
	f := statistics.Filter{Indicator: indicator, State: state, From: from, To: to}
	if regionalGroup != nil {
		g := string(*regionalGroup)
		f.RegionalGroup = &g
	}
	if breakdown != nil {
		b, err := breakdownOf(breakdown)
		if err != nil {
			return f, apperr.BadInputT("breakdown: {reason}", "reason", err)
		}
		f.Breakdown = b
	}
	return f, nil
}
