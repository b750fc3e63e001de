package graph

import (
	"context"

	"github.com/cosp-ict/irm/graph/model"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/internal/state"
)

// reportInput maps the contract's ReportInput to the service's.
func reportInput(in *model.ReportInput) schedule.Input {
	if in == nil {
		return schedule.Input{}
	}
	return schedule.Input{Kind: in.Kind, CycleID: in.Cycle, WorkingGroup: deref(in.WorkingGroup, ""), State: deref(in.State, ""),
		Language: deref(in.Language, "")}
}

// ptr returns a pointer to v, or the error.
func ptr[T any](v T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// workingGroup returns the catalogue's group id, or nil for "".
func (r *Resolver) workingGroup(id string) *questionnaire.WorkingGroup {
	if id == "" {
		return nil
	}
	if wg, ok := r.Registry.WorkingGroup(id); ok {
		return &wg
	}
	return &questionnaire.WorkingGroup{ID: id, Name: id}
}

// optionalState loads State code through the request's loader, or nil for "".
func (r *Resolver) optionalState(ctx context.Context, code string) (*state.State, error) {
	if code == "" {
		return nil, nil
	}
	s, err := loaders(ctx).state.Load(ctx, code)
	return &s, err
}
