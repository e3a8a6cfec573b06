package pages

// workflowCatalogue holds the words of the citizen's appeal and
// error-correction forms and of the appeals the code page shows
// (docs/officials.md, ## Workflows).
var workflowCatalogue = map[string][2]string{
	"title.appeal":     {"复核申请", "Appeal"},
	"title.correction": {"纠错申请", "Error correction request"},
	"act.appeal":       {"复核申请", "Appeal"},
	"act.correction":   {"信息纠错", "Correct an error"},
	"appeal.lead": {"对码色有异议，可以申请复核，由所在区县答复。",
		"If you dispute this colour, ask for a review: your district or county answers."},
	"correction.lead": {"码色有误，或因身份、手机号信息有误导致码色异常，可以申请纠错：社区受理，街道审核，区县决定，组织核酸检测，结果阴性后转码。",
		"If the colour is wrong, or wrong identity or phone data made it abnormal, ask for a correction: your community takes it up, the street reviews it, the district decides, a nucleic-acid test is organised, and a negative result turns the code."},
	"appeal.final":                    {"提交后不能修改或撤回，请核对后再提交。", "Once filed, this cannot be changed or withdrawn: check it before you submit."},
	"appeal.reason":                   {"理由（%d 至 %d 个字）", "Your reason (%d to %d characters)"},
	"appeal.attachment":               {"附件", "Attachment"},
	"appeal.attachment_hint":          {"一个 PDF、JPEG 或 PNG 文件，最大 2 MiB。如需重新提交，请再次选择文件。", "One PDF, JPEG or PNG file of at most 2 MiB. If the form comes back with an error, choose the file again."},
	"appeal.submit":                   {"提交复核申请", "File the appeal"},
	"correction.submit":               {"提交纠错申请", "File the request"},
	"correction.variant":              {"哪里有误", "What is wrong"},
	"correction.variant.wrong-colour": {"码色有误", "The colour is wrong"},
	"correction.variant.choose":       {"请选择哪里有误", "Choose what is wrong"},
	"correction.variant.wrong-data":   {"身份或手机号信息有误", "Wrong identity or phone data"},
	"appeals.title":                   {"复核申请", "Appeals"},
	"appeal.state.filed":              {"已提交，等待区县答复", "Filed: waiting for the district's answer"},
	"appeal.state.deciding":           {"区县正在办理", "Being decided by the district"},
	"appeal.state.applied":            {"复核支持：已转为%s", "Upheld: the code is now %s"},
	"appeal.state.rejected":           {"复核未支持", "Not upheld"},
	"appeal.note":                     {"区县答复：%s", "The district's answer: %s"},
	"appeal.deadline":                 {"答复期限：%s", "Answer due by %s"},
	"appeal.overdue":                  {"已超期", "overdue"},
	"appeal.filed_at":                 {"提交于", "Filed"},
	"done.appeal":                     {"复核申请已提交，区县将在期限内答复。", "Your appeal was filed; the district answers by its deadline."},
	"done.correction":                 {"纠错申请已提交，将由社区受理。", "Your request was filed; your community takes it up."},
	"err.too_large":                   {"提交的内容太大：上传的文件最大 2 MiB。", "What was sent is too large: a file is at most 2 MiB."},
}

func init() { addMessages(workflowCatalogue) }
