// Command seqlists rewrites gqlgen's generated executor so that lists of
// plain objects are marshalled in order on the request's goroutine.
//
// gqlgen marshals every element of every list of objects in a goroutine
// of its own (graphql.MarshalSliceConcurrently), which pays off when an
// element's fields call resolvers that wait on I/O or a dataloader, and
// is pure overhead otherwise: a working-group summary holds thousands of
// option counts and trend points, and spawning a goroutine for each cost
// more CPU than everything else the request does. (gqlgen has no setting
// for this; see github.com/99designs/gqlgen/issues/3202.)
//
// A list is rewritten only when nothing reachable from its element's
// marshaller resolves a field concurrently (gqlgen emits
// ResolveConcurrently for every field backed by a resolver or a method
// taking a context), so dataloaders still see all the elements' calls at
// once wherever there are any. The rewritten call, marshalSliceInline in
// package graph, keeps gqlgen's per-element field context and its
// recovery of panics.
//
// It runs after gqlgen in go generate (graph/resolver.go); CI checks the
// output is current like the rest of the generated code.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"sort"
)

const (
	concurrentList = "graphql.MarshalSliceConcurrently(ctx, len(v), "
	inlineList     = "marshalSliceInline(ctx, len(v), "
)

var (
	// Names: gqlgen's type names hold letters beyond \w (ᚕ, ᚐ ...).
	funcStart = regexp.MustCompile(`(?m)^func (?:\(ec \*executionContext\) )?([^\s(]+)\(`)
	calls     = regexp.MustCompile(`ec\.([^\s(.]+)\(`)
	// The arguments gqlgen passes after the length: worker limit and
	// whether to omit the panic handler.
	listArgs = regexp.MustCompile(`graphql\.MarshalSliceConcurrently\(ctx, len\(v\), \d+, (true|false), `)
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: seqlists generated.go")
		os.Exit(2)
	}
	path := os.Args[1]
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, n, err := rewrite(src)
	if err != nil {
		fmt.Fprintf(os.Stderr, "seqlists: %s: %v\n", path, err)
		os.Exit(1)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("seqlists: %s: %d lists of plain objects marshalled inline\n", path, n)
}

type function struct {
	start, end int // byte offsets of the whole declaration
	body       []byte
}

// rewrite returns src with every list of plain objects marshalled inline,
// and how many lists it rewrote.
func rewrite(src []byte) ([]byte, int, error) {
	locs := funcStart.FindAllSubmatchIndex(src, -1)
	funcs := map[string]*function{}
	for i, l := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		name := string(src[l[2]:l[3]])
		funcs[name] = &function{start: l[0], end: end, body: src[l[0]:end]}
	}
	// concurrent reports whether f, or anything it calls, resolves a
	// field concurrently.
	memo := map[string]bool{}
	var concurrent func(name string) bool
	concurrent = func(name string) bool {
		if c, ok := memo[name]; ok {
			return c
		}
		memo[name] = false // a cycle adds nothing
		f, ok := funcs[name]
		if !ok {
			return false
		}
		c := bytes.Contains(f.body, []byte("ResolveConcurrently(")) || bytes.Contains(f.body, []byte("ResolveRootConcurrently("))
		for _, m := range calls.FindAllSubmatch(f.body, -1) {
			if c {
				break
			}
			c = concurrent(string(m[1]))
		}
		memo[name] = c
		return c
	}
	var plain []*function
	for name, f := range funcs {
		if bytes.Contains(f.body, []byte(concurrentList)) && !concurrent(name) {
			plain = append(plain, f)
		}
	}
	sort.Slice(plain, func(i, j int) bool { return plain[i].start > plain[j].start })
	out := append([]byte(nil), src...)
	for _, f := range plain {
		body := listArgs.ReplaceAll(f.body, []byte(inlineList+"$1, "))
		if bytes.Equal(body, f.body) {
			return nil, 0, fmt.Errorf("a list call no longer has the shape %q", concurrentList+"<limit>, <omitPanicHandler>, ")
		}
		out = append(out[:f.start:f.start], append(body, out[f.end:]...)...)
	}
	formatted, err := format.Source(out)
	if err != nil {
		return nil, 0, err
	}
	return formatted, len(plain), nil
}
