package graph

import (
	"context"
	"fmt"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/99designs/gqlgen/graphql"
)

func TestMarshalSliceInline(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(ctx context.Context, err any) error { return fmt.Errorf("panic: %v", err) })
	var order []int
	var indexes []int
	ret := marshalSliceInline(ctx, 3, false, func(ctx context.Context, i int) graphql.Marshaler {
		order = append(order, i)
		indexes = append(indexes, *graphql.GetFieldContext(ctx).Index)
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i)
	})
	if len(ret) != 3 || ret[1] != graphql.Null || ret[0] == graphql.Null || ret[2] == graphql.Null {
		t.Fatalf("got %v, want the panicking element null and the others kept", ret)
	}
	if order[0] != 0 || order[1] != 1 || order[2] != 2 || indexes[0] != 0 || indexes[1] != 1 || indexes[2] != 2 {
		t.Errorf("elements ran in order %v with indexes %v, want 0 1 2 each with its own index", order, indexes)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || len(errs[0].Path) != 1 || errs[0].Path[0] != ast.PathIndex(1) {
		t.Errorf("errors %v, want one at path 1", errs)
	}
}
