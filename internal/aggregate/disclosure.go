package aggregate

// Minimum-n disclosure (issue 15). A working-group member, and every
// report, reads a question's figures with small cells withheld: a count
// of 1 to N-1 respondents (an option's count, or a whole group's
// respondents) is primary; and so that no withheld cell can be worked
// out by subtraction, the rule then withholds complementary cells until
// every sum the figures publish has either no withheld term or at least
// two unknowns:
//
//   - within a group, the options of a single-choice or boolean question
//     sum to the group's respondents;
//   - down each column (respondents and every option) the groups, plus
//     the States in no group (never shown, but counted in the total),
//     sum to the total.
//
// A group whose respondents are withheld is withheld whole (its counts
// and its numeric summary too). The complementary cell is the smallest
// non-zero one left in the sum (the least information lost), else any
// one, else the sum itself. The secretariat reads every count.

// DefaultMinRespondents is N unless configured (--min-respondents).
const DefaultMinRespondents = 3

// disclosable is one row of a question's table: its respondents and
// option counts.
type disclosable struct {
	g      *GroupAggregate
	hidden []bool // column 0 the respondents, then each option
	small  []bool
	shown  bool // false for the States in no group, which only the total counts
}

func (d *disclosable) value(c int) int {
	if c == 0 {
		return d.g.Respondents
	}
	return d.g.Counts[c-1].Count
}

// suppress applies the rule with n to qa (grouped or not) whose States in
// no group are ungrouped; sumsToRespondents says whether a group's
// option counts add up to its respondents (one answer each).
func suppress(qa *QuestionAggregate, ungrouped GroupAggregate, n int, sumsToRespondents bool) {
	total := GroupAggregate{Group: All, Respondents: qa.Respondents, Counts: qa.Counts, Numeric: qa.Numeric}
	var rows []*disclosable
	add := func(g *GroupAggregate, shown bool) {
		k := len(g.Counts) + 1
		rows = append(rows, &disclosable{g: g, hidden: make([]bool, k), small: make([]bool, k), shown: shown})
	}
	for i := range qa.ByGroup {
		add(&qa.ByGroup[i], true)
	}
	grouped := len(qa.ByGroup) > 0
	if grouped {
		add(&ungrouped, false)
	}
	add(&total, true)
	cols := len(qa.Counts) + 1

	// Primary cells.
	for _, r := range rows {
		for c := range cols {
			if v := r.value(c); v > 0 && v < n {
				r.hidden[c], r.small[c] = true, true
			}
		}
	}
	type cell struct {
		r *disclosable
		c int
	}
	// The sums: parts and their total.
	type sum struct {
		parts []cell
		total cell
	}
	var sums []sum
	if sumsToRespondents {
		for _, r := range rows {
			s := sum{total: cell{r, 0}}
			for c := 1; c < cols; c++ {
				s.parts = append(s.parts, cell{r, c})
			}
			sums = append(sums, s)
		}
	}
	if grouped {
		last := rows[len(rows)-1]
		for c := range cols {
			s := sum{total: cell{last, c}}
			for _, r := range rows[:len(rows)-1] {
				s.parts = append(s.parts, cell{r, c})
			}
			sums = append(sums, s)
		}
	}
	for changed := true; changed; {
		changed = false
		// A row whose respondents are withheld is withheld whole.
		for _, r := range rows {
			if r.hidden[0] {
				for c := range cols {
					if !r.hidden[c] {
						r.hidden[c], changed = true, true
					}
				}
			}
		}
		for _, s := range sums {
			unknown := 0
			for _, p := range s.parts {
				if p.r.hidden[p.c] {
					unknown++
				}
			}
			if s.total.r.hidden[s.total.c] {
				unknown++
			}
			if unknown != 1 {
				continue
			}
			var pick *cell
			for i, p := range s.parts {
				if p.r.hidden[p.c] || !p.r.shown {
					continue
				}
				v := p.r.value(p.c)
				if pick == nil || (v > 0 && (pick.r.value(pick.c) == 0 || v < pick.r.value(pick.c))) {
					pick = &s.parts[i]
				}
			}
			if pick == nil {
				pick = &s.total
			}
			if !pick.r.hidden[pick.c] {
				pick.r.hidden[pick.c], changed = true, true
			}
		}
	}
	for _, r := range rows {
		if r.hidden[0] {
			r.g.Suppressed, r.g.Small = true, r.small[0]
			r.g.Respondents, r.g.Numeric = 0, nil
		}
		counts := make([]OptionCount, len(r.g.Counts))
		copy(counts, r.g.Counts)
		for c := 1; c < cols; c++ {
			if r.hidden[c] {
				counts[c-1] = OptionCount{Option: counts[c-1].Option, Suppressed: true, Small: r.small[c]}
			}
		}
		r.g.Counts = counts
	}
	qa.Respondents, qa.Counts, qa.Numeric = total.Respondents, total.Counts, total.Numeric
	qa.Suppressed, qa.Small = total.Suppressed, total.Small
}
