package web

import (
	"github.com/cosp-ict/irm/internal/submission"
)

// threads groups a submission's comments (oldest first) into threads:
// each thread's first comment, in order, with its replies.
func threads(cs []submission.Comment) []*viewComment {
	var out []*viewComment
	byID := map[string]*viewComment{}
	for _, c := range cs {
		vc := &viewComment{ID: c.ID, Author: c.Author, Body: c.Body, At: c.CreatedAt, Resolved: c.Resolved, Path: c.Path}
		if c.ReplyTo != nil {
			if root, ok := byID[*c.ReplyTo]; ok {
				root.Replies = append(root.Replies, *vc)
				continue
			}
		}
		byID[c.ID] = vc
		out = append(out, vc)
	}
	return out
}

// openThreads counts the threads not resolved.
func openThreads(ts []*viewComment) int {
	n := 0
	for _, t := range ts {
		if !t.Resolved {
			n++
		}
	}
	return n
}
