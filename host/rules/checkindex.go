package rules

import (
	"slices"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// checkIndexes reports record["key"] on a typed record or object when
// the schema has no such key: the checker types such reads dynamically
// (they exist for keys no field name can spell), so a misspelt key would
// otherwise only ever fail at run time, on every record.
func (c *compiler) checkIndexes(ast *cel.Ast, src exprSrc, owner, what, suffix string) bool {
	native := ast.NativeRep()
	ok := true
	celast.PreOrderVisit(native.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.CallKind {
			return
		}
		call := e.AsCall()
		if fn := call.FunctionName(); fn != operators.Index && fn != operators.OptIndex || len(call.Args()) != 2 {
			return
		}
		key, isLit := stringLiteral(call.Args()[1])
		t := native.GetType(call.Args()[0].ID())
		if !isLit || t == nil || t.Kind() != types.StructKind {
			return
		}
		names, known := c.types.FindStructFieldNames(t.TypeName())
		if !known || slices.Contains(names, key) {
			return
		}
		// The optional form asks whether the key is there at all.
		if call.FunctionName() == operators.OptIndex {
			return
		}
		loc := native.SourceInfo().GetStartLocation(call.Args()[1].ID())
		c.probs.errorf(src.place(loc.Line(), loc.Column()), owner, "%s: the record has no key %q%s", what, key, suffix)
		ok = false
	}))
	return ok
}
