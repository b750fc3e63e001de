// Package graph is the GraphQL transport: the schema in schema/*.graphqls,
// gqlgen's generated code, and thin resolvers that take the principal from
// the context, call one service method and map the result.
package graph

//go:generate go tool gqlgen generate
//go:generate go run ./internal/seqlists generated.go

import (
	"log/slog"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/people"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/internal/translation"
)

// Resolver holds the services the resolvers call.
type Resolver struct {
	Log         *slog.Logger
	Registry    *questionnaire.Registry
	StateStore  *state.Store
	Workflow    *submission.Service
	Statistics  *statistics.Service
	Aggregates  *aggregate.Service
	Reports     *schedule.Service
	Translation *translation.Service
	People      *people.Service
}
