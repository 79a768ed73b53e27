package content

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

var backtickRunsKey = parser.NewContextKey()

// codeSpanGuard is goldmark's code span parser, asked only when the block has a closing
// run of backticks for the opening one. The parser looks for it by reading to the end of
// the block, and gives up with the backticks as text when there is none: runs of growing
// length ("e`e“e```…") each read the rest of the block, n^1.5 in all. Whether a closer
// exists is known from the position of the last run of each length, found once per block.
type codeSpanGuard struct{ parser.InlineParser }

func (p codeSpanGuard) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, segment := block.PeekLine()
	n := 0
	for n < len(line) && line[n] == '`' {
		n++
	}
	if lastRunStart(pc, parent, block.Source(), n) < segment.Start+n {
		// What the parser does when it finds no closer.
		block.Advance(n)
		return ast.NewTextSegment(segment.WithStop(segment.Start + n))
	}
	return p.InlineParser.Parse(parent, block, pc)
}

// backtickRuns is, for the block being parsed, where its last run of backticks of each
// length starts (runs end at line ends, as the parser reads them).
type backtickRuns struct {
	block ast.Node
	last  map[int]int
}

// lastRunStart returns where the last run of exactly n backticks in block's lines starts,
// or -1.
func lastRunStart(pc parser.Context, block ast.Node, source []byte, n int) int {
	runs, _ := pc.Get(backtickRunsKey).(*backtickRuns)
	if runs == nil || runs.block != block {
		runs = &backtickRuns{block: block, last: map[int]int{}}
		lines := block.Lines()
		for i := range lines.Len() {
			s := lines.At(i)
			for j := s.Start; j < s.Stop; {
				if source[j] != '`' {
					j++
					continue
				}
				k := j
				for k < s.Stop && source[k] == '`' {
					k++
				}
				runs.last[k-j] = j
				j = k
			}
		}
		pc.Set(backtickRunsKey, runs)
	}
	if start, ok := runs.last[n]; ok {
		return start
	}
	return -1
}
