package permission

import "strings"

// Markdown renders the permissions and the role → permission table, for
// docs/permissions.md; a test keeps the doc equal to it.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| Permission | What it allows | Region-scoped |")
	for _, g := range roles {
		b.WriteString(" " + string(g.role) + " |")
	}
	b.WriteString("\n|---|---|---|" + strings.Repeat("---|", len(roles)) + "\n")
	for _, in := range list {
		b.WriteString("| `" + in.name + "` | " + in.what + " | " + yesNo(in.regional, "yes", "no") + " |")
		for _, g := range roles {
			b.WriteString(" " + yesNo(g.perms&in.perm != 0, "✓", "") + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
