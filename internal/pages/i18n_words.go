package pages

// wordsCatalogue holds the pages' labels that only assistive technology
// reads: they are words of the page too, in its language. init adds them
// to catalogue, the one the pages translate from.
var wordsCatalogue = map[string][2]string{
	"aria.settings": {"显示设置", "Display settings"},
	"aria.menu":     {"菜单", "Menu"},
	"aria.health":   {"健康信息", "Health details"},
	"aria.actions":  {"操作", "Actions"},
	"aria.camera":   {"摄像头画面", "Camera view"},
}

func init() { addMessages(wordsCatalogue) }

// addMessages puts a file's entries into catalogue; a key given twice is
// left as first given and found by TestCatalogueKeysAreGivenOnce.
func addMessages(m map[string][2]string) {
	for k, v := range m {
		if _, ok := catalogue[k]; !ok {
			catalogue[k] = v
		}
	}
}
