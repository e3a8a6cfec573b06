// Package division names the administrative divisions of GB/T 2260
// (province → city → district), so pages show 杭州市西湖区, never 330106.
//
// This first version knows only the seed regions; the full embedded list
// replaces the table below without changing these functions.
package division

import "strings"

// names holds {Chinese, English} per code.
var names = map[string][2]string{
	"330000": {"浙江省", "Zhejiang"},
	"330100": {"杭州市", "Hangzhou"},
	"330106": {"西湖区", "Xihu District"},
	"330600": {"绍兴市", "Shaoxing"},
	"331100": {"丽水市", "Lishui"},
	"420000": {"湖北省", "Hubei"},
	"420100": {"武汉市", "Wuhan"},
}

// Name is the division's own name in lang ("zh" or "en"), e.g. 西湖区;
// an unknown code is returned as it is.
func Name(code, lang string) string {
	n, ok := names[code]
	if !ok {
		return code
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// Path is the division with the divisions it lies in, largest first:
// 浙江省杭州市西湖区, or "Xihu District, Hangzhou, Zhejiang" in English.
func Path(code, lang string) string {
	var parts []string
	for _, c := range ancestry(code) {
		if _, ok := names[c]; ok {
			parts = append(parts, Name(c, lang))
		}
	}
	if len(parts) == 0 {
		return code
	}
	if lang == "en" {
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts, "")
}

// Short is the name without its level's suffix, as the apps name their
// codes: 杭州 for 杭州市 (杭州健康码), 浙江 for 浙江省.
func Short(code, lang string) string {
	n := Name(code, lang)
	if lang == "en" {
		return strings.TrimSuffix(n, " District")
	}
	for _, suffix := range []string{"自治区", "省", "市", "区", "县"} {
		if s, ok := strings.CutSuffix(n, suffix); ok && s != "" {
			return s
		}
	}
	return n
}

// ancestry is code's province, city and itself, without repeats.
func ancestry(code string) []string {
	if len(code) != 6 {
		return nil
	}
	out := []string{code[:2] + "0000"}
	if c := code[:4] + "00"; c != out[0] {
		out = append(out, c)
	}
	if code != out[len(out)-1] {
		out = append(out, code)
	}
	return out
}
