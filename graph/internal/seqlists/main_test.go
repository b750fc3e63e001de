package main

import (
	"strings"
	"testing"
)

// A miniature of gqlgen's output: a list of plain objects, a list whose
// elements resolve a field concurrently two calls down, and one whose
// element reaches a concurrent object through a cycle.
const generated = `package graph

func (ec *executionContext) marshalNPointᚕ(ctx context.Context, sel ast.SelectionSet, v []Point) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		return ec._Point(ctx, sel, &v[i])
	})
	return ret
}

func (ec *executionContext) _Point(ctx context.Context, sel ast.SelectionSet, obj *Point) graphql.Marshaler {
	return ec.marshalNInt(ctx, sel, obj.X)
}

func (ec *executionContext) marshalNInt(ctx context.Context, sel ast.SelectionSet, v int) graphql.Marshaler {
	return graphql.MarshalInt(v)
}

func (ec *executionContext) marshalNQuestionᚕ(ctx context.Context, sel ast.SelectionSet, v []Question) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		return ec._Question(ctx, sel, &v[i])
	})
	return ret
}

func (ec *executionContext) _Question(ctx context.Context, sel ast.SelectionSet, obj *Question) graphql.Marshaler {
	return ec._Question_label(ctx, sel, obj)
}

func (ec *executionContext) _Question_label(ctx context.Context, sel ast.SelectionSet, obj *Question) graphql.Marshaler {
	out.ResolveConcurrently(ec.OperationContext, &deferred, i, nil)
	return ec._Question(ctx, sel, obj)
}
`

func TestRewriteOnlyPlainLists(t *testing.T) {
	out, n, err := rewrite([]byte(generated))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("rewrote %d lists, want 1 (the points)", n)
	}
	s := string(out)
	point := s[strings.Index(s, "marshalNPointᚕ"):strings.Index(s, "_Point(")]
	if !strings.Contains(point, "marshalSliceInline(ctx, len(v), false, func") {
		t.Errorf("the list of points is not marshalled inline:\n%s", point)
	}
	question := s[strings.Index(s, "marshalNQuestionᚕ"):strings.Index(s, "_Question(")]
	if !strings.Contains(question, "graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func") {
		t.Errorf("the list of questions, whose label resolves concurrently, was rewritten:\n%s", question)
	}
	again, n2, err := rewrite(out)
	if err != nil || n2 != 0 || string(again) != s {
		t.Errorf("a second run changed the output (%d lists, %v)", n2, err)
	}
}
