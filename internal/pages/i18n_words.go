package pages

// wordsCatalogue holds the pages' labels that only assistive technology
// reads: they are words of the page too, in its language. init adds them
// to catalogue, the one the pages translate from.
var wordsCatalogue = map[string][2]string{
	"aria.settings": {"显示设置", "Display settings"},
	"aria.menu":     {"菜单", "Menu"},
	"aria.actions":  {"操作", "Actions"},
}

// historyCatalogue holds the history page's words for who made a change
// and its check against the public log (docs/log.md).
var historyCatalogue = map[string][2]string{
	"history.by":          {"操作方：%s", "By: %s"},
	"history.by.system":   {"系统自动", "Automatic"},
	"history.by.self":     {"本人", "You"},
	"history.by.citizen":  {"另一位市民", "Another citizen"},
	"history.by.staff":    {"工作人员", "Staff"},
	"history.log.checked": {"已与公开日志核对：每条变化都在公开日志里，任何人都无法悄悄改动。", "Checked against the public log: every change is in it, and none can be altered unnoticed."},
	"history.log.pending": {"还有变化未与公开日志核对（新的变化约一秒后写入），请稍后刷新。", "Some changes are not checked against the public log yet (a new change goes in within about a second): refresh later."},
	"history.log.entry":   {"公开日志第 %d 条，共 %d 条", "Public log entry %d of %d"},
	"credit.title":        {"信用记录", "Credit record"},
	"credit.hint":         {"调查认定的虚假申报情况（已纳入信用记录）。如有异议，可通过复核通道提出。", "False declarations an investigation found, kept in your credit record. If you dispute one, ask for a review."},
	"credit.evidence":     {"依据", "evidence"},
}

func init() {
	addMessages(wordsCatalogue)
	addMessages(historyCatalogue)
}

// addMessages puts a file's entries into catalogue; a key given twice is
// left as first given and found by TestCatalogueKeysAreGivenOnce.
func addMessages(m map[string][2]string) {
	for k, v := range m {
		if _, ok := catalogue[k]; !ok {
			catalogue[k] = v
		}
	}
}
