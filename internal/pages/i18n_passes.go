package pages

// passesCatalogue holds the words of paper passes (the community worker's
// form, the printed A6 pass) and of the checkpoint's look-up by ID number.
var passesCatalogue = map[string][2]string{
	"title.pass":    {"纸质通行证", "Paper pass"},
	"pass.heading":  {"健康通行证", "Health pass"},
	"pass.list":     {"纸质通行证", "Paper passes"},
	"pass.none":     {"尚未签发纸质通行证。", "No paper pass issued yet."},
	"pass.open":     {"打印", "Print"},
	"pass.revoke":   {"撤销", "Revoke"},
	"pass.revoked":  {"已撤销", "Revoked"},
	"pass.issue":    {"签发纸质通行证", "Issue a paper pass"},
	"pass.issue_go": {"核验并签发", "Check and issue"},
	"pass.issue_hint": {"适用于没有智能手机的老人、儿童等：当面核验身份证件，输入证件号码；按本地政策核验疫苗接种和核酸检测结果，并现场测量体温。",
		"For elderly people, children and others without a smartphone: check their identity document in person and type its number; vaccination and nucleic-acid results are checked as the local policy asks, and the temperature taken on the spot."},
	"pass.id_number":          {"证件号码（核验后输入，不会保存）", "Document number (typed after checking; not kept)"},
	"pass.temperature":        {"现场体温（°C）", "Temperature taken now (°C)"},
	"pass.check_vaccination":  {"疫苗接种：", "Vaccination: "},
	"pass.check_nucleic_acid": {"核酸检测：", "Nucleic-acid test: "},
	"pass.check_color":        {"健康码：", "Health code: "},
	"pass.valid_until":        {"有效期至", "Valid until"},
	"pass.community":          {"签发社区", "Issued by"},
	"pass.instruction": {"请随身携带本证和身份证件，在卡口出示二维码供扫描；本证仅在有效期内且健康码可通行时有效。",
		"Carry this pass with your ID card and show the QR code at checkpoints; it is valid until the time above, and only while your health code passes."},
	"pass.print": {"用A6纸打印（浏览器的“打印”）。", "Print on A6 paper (the browser's Print)."},
	"pass.back":  {"返回人员档案", "Back to the person's file"},
	"done.pass":  {"纸质通行证已签发，请打印。", "The paper pass is issued: print it."},

	"done.official_revoke": {"纸质通行证已撤销。", "The paper pass is revoked."},

	"lookup.title":    {"按证件号码查询", "Look up by ID number"},
	"lookup.hint":     {"为没有智能手机的人员查询：手动输入，或用读卡器读取身份证。每次查询都会记录。", "For people without a smartphone: type the number, or read the ID card with a reader. Every look-up is logged."},
	"lookup.doc_type": {"证件类型", "Document type"},
	"lookup.number":   {"证件号码", "Document number"},
	"lookup.go":       {"查询", "Look up"},

	"verdict.kind":           {"核验方式", "Checked by"},
	"verdict.kind.pass":      {"纸质通行证", "Paper pass"},
	"verdict.kind.id_number": {"证件号码查询", "ID number look-up"},
	"reason.revoked":         {"通行证已被撤销。", "The pass was revoked."},
	"reason.no_such_person":  {"查无此人。", "No such person."},
}

func init() { addMessages(passesCatalogue) }
