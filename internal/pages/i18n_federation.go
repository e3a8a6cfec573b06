package pages

// federationCatalogue holds the words of linking another region's code
// (docs/federation.md, "Between regions").
var federationCatalogue = map[string][2]string{
	"title.foreign": {"关联外地健康码", "Link another region's code"},
	"act.foreign":   {"关联外地健康码", "Link another region's code"},
	"foreign.lead": {"在其他地区被赋码的，可将该地区的健康码关联到这里：本地将向赋码地区核实颜色，赋码地区的颜色只有赋码地区可以更改。",
		"If another region gave you a code, link it here: this region asks that region for its colour, which only that region can change."},
	"foreign.token":      {"外地健康码内容", "The other region's code (starting HCN1:)"},
	"foreign.submit":     {"关联", "Link"},
	"reason.revoked_key": {"此码的签名密钥已被吊销，不予通行。", "The key that signed this code is revoked: not accepted."},
	"done.foreign":       {"已关联外地健康码，码色已按赋码地区更新。", "The other region's code is linked; your colour follows that region's."},
}

func init() { addMessages(federationCatalogue) }
