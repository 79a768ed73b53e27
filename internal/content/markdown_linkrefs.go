package content

// This file is goldmark's link reference definition parser (parser/link_ref.go of
// github.com/yuin/goldmark v1.8.7), changed only where the original's work grows with the
// square of its input:
//
//   - the definitions found are cut from the paragraph's lines in one pass, where the
//     original re-sliced and copied all remaining lines once per definition (8,000
//     one-line definitions: a quarter of a second);
//   - text.Reader.Value is replaced by segmentValue (see markdown_links.go), and link
//     destinations and titles are parsed by the bounded functions there.
//
// Everything else is the original, including how it removes lines when a definition ends
// in an unclosed title, so that ordinary Markdown renders byte for byte as before.
//
// The original's licence is in markdown_goldmark_license.go.

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

type linkReferenceParagraphTransformer struct{}

func (p linkReferenceParagraphTransformer) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	block := text.NewBlockReader(reader.Source(), lines)
	removes := [][2]int{}
	for {
		ref, start, end := parseLinkReferenceDefinition(block, pc, lines)
		if start > -1 {
			if start == 0 {
				ref.SetBlankPreviousLines(node.HasBlankPreviousLines())
			}
			node.Parent().InsertBefore(node.Parent(), node, ref)
			for i := start + 1; i < end; i++ {
				ref.Lines().Append(lines.At(i))
			}
			seg := ref.Lines().At(ref.Lines().Len() - 1)
			ref.Lines().Set(ref.Lines().Len()-1, seg.TrimRightSpace(reader.Source()))
			if start == end {
				end++
			}
			removes = append(removes, [2]int{start, end})
			continue
		}
		break
	}

	removeLines(lines, removes)

	if lines.Len() == 0 {
		node.Parent().RemoveChild(node.Parent(), node)
		return
	}

	node.SetLines(lines)
}

// removeLines does what the original does with removes, in time linear in the lines:
//
//	offset := 0
//	for _, remove := range removes {
//		if lines.Len() == 0 { break }
//		s := lines.Sliced(remove[1]-offset, lines.Len())
//		lines.SetSliced(0, remove[0]-offset)
//		lines.AppendAll(s)
//		offset = remove[1]
//	}
//
// Each step deletes the lines at positions [remove[0]-offset, remove[1]-offset) of what is
// left. Definitions follow one another, so the walk to the first of them covers only the
// lines since the previous step's deletion: a linked list makes every step cost the lines
// it walks over and deletes, each of which it meets once. (offset is the previous end, not
// the number of lines deleted, so a gap between definitions shifts what later steps
// delete; that is kept as it is.)
func removeLines(lines *text.Segments, removes [][2]int) {
	if len(removes) == 0 {
		return
	}
	n := lines.Len()
	next := make([]int, n+1) // next[0] is the head; line i is node i+1; 0 ends the list
	for i := range n {
		next[i] = i + 1
	}
	left := n
	offset := 0
	for _, r := range removes {
		if left == 0 {
			break
		}
		lo, hi := max(r[0]-offset, 0), min(r[1]-offset, left)
		prev := 0
		for range lo {
			prev = next[prev]
		}
		for k := lo; k < hi; k++ {
			next[prev] = next[next[prev]]
			left--
		}
		offset = r[1]
	}
	kept := make([]text.Segment, 0, left)
	for i := next[0]; i != 0; i = next[i] {
		kept = append(kept, lines.At(i-1))
	}
	lines.SetSliced(0, 0)
	lines.AppendAll(kept)
}

func parseLinkReferenceDefinition(block text.Reader, pc parser.Context,
	lines *text.Segments) (*ast.LinkReferenceDefinition, int, int) {
	block.SkipSpaces()
	line, _ := block.PeekLine()
	if line == nil {
		return nil, -1, -1
	}
	startLine, _ := block.Position()
	width, pos := util.IndentWidth(line, 0)
	if width > 3 {
		return nil, -1, -1
	}
	if width != 0 {
		pos++
	}
	if line[pos] != '[' {
		return nil, -1, -1
	}
	_, startPos := block.Position()
	block.Advance(pos + 1)
	segments, found := block.FindClosure('[', ']', linkFindClosureOptions)
	if !found {
		return nil, -1, -1
	}
	var label []byte
	if segments.Len() == 1 {
		label, _ = segmentValue(block.Source(), lines, segments.At(0), -1)
	} else {
		for i := range segments.Len() {
			v, _ := segmentValue(block.Source(), lines, segments.At(i), -1)
			label = append(label, v...)
		}
	}
	if util.IsBlank(label) {
		return nil, -1, -1
	}
	if block.Peek() != ':' {
		return nil, -1, -1
	}
	block.Advance(1)
	block.SkipSpaces()
	destination, ok := parseLinkDestination(block)
	if !ok {
		return nil, -1, -1
	}
	line, _ = block.PeekLine()
	isNewLine := line == nil || util.IsBlank(line)

	endLine, _ := block.Position()
	_, spaces, _ := block.SkipSpaces()
	opener := block.Peek()
	if opener != '"' && opener != '\'' && opener != '(' {
		if !isNewLine {
			return nil, -1, -1
		}
		ref := ast.NewLinkReferenceDefinition(label, destination, nil)
		ref.Lines().Append(startPos)
		pc.AddReference(parser.NewReference(label, destination, nil))
		return ref, startLine, endLine + 1
	}
	if spaces == 0 {
		return nil, -1, -1
	}
	block.Advance(1)
	closer := opener
	if opener == '(' {
		closer = ')'
	}
	segments, found = block.FindClosure(opener, closer, linkFindClosureOptions)
	if !found {
		if !isNewLine {
			return nil, -1, -1
		}
		ref := ast.NewLinkReferenceDefinition(label, destination, nil)
		ref.Lines().Append(startPos)
		pc.AddReference(parser.NewReference(label, destination, nil))
		block.AdvanceLine()
		return ref, startLine, endLine + 1
	}
	var title []byte
	if segments.Len() == 1 {
		title, _ = segmentValue(block.Source(), lines, segments.At(0), -1)
	} else {
		for i := range segments.Len() {
			v, _ := segmentValue(block.Source(), lines, segments.At(i), -1)
			title = append(title, v...)
		}
	}

	line, _ = block.PeekLine()
	if line != nil && !util.IsBlank(line) {
		if !isNewLine {
			return nil, -1, -1
		}
		ref := ast.NewLinkReferenceDefinition(label, destination, title)
		ref.Lines().Append(startPos)
		pc.AddReference(parser.NewReference(label, destination, title))
		return ref, startLine, endLine
	}

	endLine, _ = block.Position()
	ref := ast.NewLinkReferenceDefinition(label, destination, title)
	ref.Lines().Append(startPos)
	pc.AddReference(parser.NewReference(label, destination, title))
	return ref, startLine, endLine + 1
}
