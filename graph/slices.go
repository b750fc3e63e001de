package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInline marshals a list of plain objects in order on the
// calling goroutine; graph/internal/seqlists makes gqlgen's generated code
// call it instead of graphql.MarshalSliceConcurrently wherever no element
// resolves a field concurrently. Each element gets its own field context
// (its index in error paths) and, unless omitPanicHandler, a panic in one
// element becomes that element's error and null, as in gqlgen.
func marshalSliceInline(ctx context.Context, length int, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					ret[i] = graphql.Null
				}
			}()
			ret[i] = marshalElement(childCtx, i)
		}()
	}
	return ret
}
